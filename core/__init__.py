"""linedesk core: domain model, services, authorization, outbox, events. No UI, no SSH."""
