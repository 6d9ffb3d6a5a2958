"""One module per screen; every screen derives from :class:`screens.base.PortalScreen`."""
