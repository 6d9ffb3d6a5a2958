"""Demo data of SPEC §7, fixed so that documentation and tests can rely on it.

Demo passwords exist only here: without ``--demo`` / ``linedesk demo seed`` no account
has a default password.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import func, select

from core.locations import from_site, store
from core.models import (
    CREDENTIAL_ELIGIBLE_TYPES,
    Account,
    AreaVerification,
    CallRecord,
    Contract,
    ContractType,
    CredentialStatus,
    Customer,
    CustomerNumber,
    LineCredential,
    Number,
    NumberBlock,
    NumberKind,
    NumberStatus,
    PortingEvent,
    PortingOrder,
    PortingStatus,
    Product,
    Role,
)
from core.reference import ensure_reference_data
from core.security import hash_secret
from core.services.numbers import end_of_following_month
from core.services.porting_carrier import completion_time
from core.tariffs import number_tariff
from core.uow import UnitOfWork


async def is_empty(uow: UnitOfWork) -> bool:
    return not await uow.session.scalar(select(func.count()).select_from(Customer))


async def seed_demo(uow: UnitOfWork) -> bool:
    """Load the demo data into an empty database; returns False (and does nothing) otherwise."""
    await ensure_reference_data(uow)
    if not await is_empty(uow):
        return False
    now = uow.clock.now()
    today = uow.clock.today()
    s = uow.session

    muster = Customer(name="Muster GmbH", street="Friedrichstraße 123", postal_code="10117",
                      city="Berlin", created_at=now)
    beispiel = Customer(name="Beispiel AG", street="Leopoldstraße 45", postal_code="80802",
                        city="München", created_at=now, approval_required=True)
    s.add_all([muster, beispiel])
    await s.flush()
    cn1 = CustomerNumber(customer_id=muster.id, number="1000001")
    cn2 = CustomerNumber(customer_id=muster.id, number="1000002")
    cn3 = CustomerNumber(customer_id=beispiel.id, number="2000001")
    s.add_all([cn1, cn2, cn3])
    await s.flush()

    async def account(username: str, role: Role, customer: Customer | None, full_name: str,
                      email: str | None, mobile: str | None, locale: str = "de") -> Account:
        acc = Account(
            username=username, role=role, customer_id=customer.id if customer else None,
            full_name=full_name, email=email, mobile=mobile, locale=locale,
            password_hash=await hash_secret(f"{username}-demo"), active=True, created_at=now,
        )
        s.add(acc)
        return acc

    admin = await account("admin", Role.ADMIN, muster, "Sabine Muster",
                          "sabine.muster@muster-gmbh.de", "+491701234567")
    mia = await account("mia", Role.EMPLOYEE, muster, "Mia Schneider",
                        "mia.schneider@muster-gmbh.de", "+491712345678")
    tom = await account("tom", Role.EMPLOYEE, muster, "Tom Becker",
                        "tom.becker@muster-gmbh.de", "+491723456789", locale="en")
    await account("beispiel", Role.ADMIN, beispiel, "Klaus Beispiel",
                  "k.beispiel@beispiel-ag.de", "+491609876543")
    await account("beispiel2", Role.ADMIN, beispiel, "Petra Beispiel",
                  "p.beispiel@beispiel-ag.de", "+491609876544")
    await account("support", Role.SUPPORT, None, "Lena Support",
                  "support@linedesk.example", "+491515550100")
    await s.flush()

    seq = iter(range(1, 1000))

    def contract(cn: CustomerNumber, product: Product, ctype: ContractType, site: str,
                 street: str, postal: str, city: str, *, parent: Contract | None = None,
                 easy_login: bool = False) -> Contract:
        eligible = ctype in CREDENTIAL_ELIGIBLE_TYPES
        n = next(seq)
        c = Contract(
            customer_number_id=cn.id, parent_id=parent.id if parent else None, product=product,
            type=ctype, contract_ref=f"V-{cn.number}-{n:04d}", site_name=site, street=street,
            postal_code=postal, city=city, has_line=eligible, easy_login=easy_login,
            line_online=eligible, line_id=f"DSL{cn.number}{n:04d}" if eligible else None,
            created_at=now - timedelta(days=400 - n),
        )
        s.add(c)
        return c

    flex = contract(cn1, Product.COMPANYFLEX, ContractType.COMPANYFLEX, "CompanyFlex Rahmenvertrag",
                    "Friedrichstraße 123", "10117", "Berlin")
    await s.flush()
    lines = [
        contract(cn1, Product.COMPANYFLEX, ContractType.COMPANYFLEX_COMPLETE, "Berlin Zentrale",
                 "Friedrichstraße 123", "10117", "Berlin", parent=flex),
        contract(cn1, Product.COMPANYFLEX, ContractType.COMPANYFLEX_MSN_COMPLETE, "Berlin Lager",
                 "Am Treptower Park 28", "12435", "Berlin", parent=flex, easy_login=True),
    ]
    contract(cn1, Product.COMPANYFLEX, ContractType.COMPANYFLEX_VOICE, "Potsdam Büro",
             "Brandenburger Straße 5", "14467", "Potsdam", parent=flex)
    pbx = contract(cn1, Product.CLOUD_PBX, ContractType.CLOUD_PBX_MAIN, "Cloud PBX Hauptstandort",
                   "Friedrichstraße 123", "10117", "Berlin")
    await s.flush()
    lines += [
        pbx,
        contract(cn1, Product.CLOUD_PBX, ContractType.CLOUD_PBX_BRANCH, "Filiale Hamburg",
                 "Mönckebergstraße 7", "20095", "Hamburg", parent=pbx),
        contract(cn1, Product.CLOUD_PBX, ContractType.CLOUD_PBX_BRANCH, "Filiale Leipzig",
                 "Grimmaische Straße 2", "04109", "Leipzig", parent=pbx, easy_login=True),
        contract(cn2, Product.COMPANYFLEX, ContractType.COMPANYFLEX_ACCESS_PLUS, "Hamburg Vertrieb",
                 "Jungfernstieg 10", "20354", "Hamburg"),
    ]
    trunk = contract(cn1, Product.SIP_TRUNK, ContractType.SIP_TRUNK, "SIP-Trunk Zentrale",
                     "Friedrichstraße 123", "10117", "Berlin")
    contract(cn2, Product.IP_VOICE_DATA, ContractType.IP_VOICE_DATA, "IP Voice / Data Hamburg",
             "Jungfernstieg 10", "20354", "Hamburg")
    b_pbx = contract(cn3, Product.CLOUD_PBX, ContractType.CLOUD_PBX_MAIN, "Zentrale München",
                     "Leopoldstraße 45", "80802", "München")
    contract(cn3, Product.SIP_TRUNK, ContractType.SIP_TRUNK, "SIP-Trunk München",
             "Leopoldstraße 45", "80802", "München")
    await s.flush()

    for line in [*lines, b_pbx]:
        generated = now - timedelta(days=200)
        s.add(LineCredential(
            contract_id=line.id, username=f"{cast(str, line.line_id).lower()}@business.linedesk.de",
            password_hash=await hash_secret(secrets.token_urlsafe(24)),
            status=CredentialStatus.ACTIVE, generated_at=generated, generated_by_id=None,
        ))
        line.credentials_generated_at = generated

    s.add(
        AreaVerification(
            customer_id=muster.id,
            area_prefix="030",
            address="Friedrichstraße 123, 10117 Berlin",
            verified_at=now - timedelta(days=90),
        )
    )
    s.add(
        AreaVerification(
            customer_id=beispiel.id,
            area_prefix="089",
            address="Leopoldstraße 45, 80802 München",
            verified_at=now - timedelta(days=90),
        )
    )

    def number(customer: Customer, e164: str, area: str, status: NumberStatus, *,
               kind: NumberKind = NumberKind.VOICE, assigned: Account | None = None,
               fax_owner: Account | None = None, settings: dict[str, Any] | None = None,
               contract_: Contract | None = None) -> Number:
        tariff = number_tariff(kind)
        n = Number(
            customer_id=customer.id, contract_id=contract_.id if contract_ else None, e164=e164,
            area_prefix=area, kind=kind, fax_owner_id=fax_owner.id if fax_owner else None,
            status=status,
            deactivation_date=end_of_following_month(today)
            if status is NumberStatus.PENDING_DEACTIVATION else None,
            assigned_account_id=assigned.id if assigned else None, settings=settings or {},
            activation_fee_cents=tariff.activation_cents, monthly_price_cents=tariff.monthly_cents,
            created_at=now - timedelta(days=300),
        )
        if kind is NumberKind.VOICE:  # R29: the site's address (else the customer's)
            site = contract_ or customer
            store(n, from_site(area, site.street, site.postal_code, site.city))
        s.add(n)
        return n

    A, OFF, P, X = (NumberStatus.ACTIVE, NumberStatus.INACTIVE,
                    NumberStatus.PENDING_DEACTIVATION, NumberStatus.PORTING)
    fwd = {"forwarding_target": "sip:zentrale@muster-gmbh.de"}
    mia_main = number(muster, "+4930123456100", "030", A, assigned=mia, contract_=pbx,
                      settings={"forwarding_target": "sip:mia@muster-gmbh.de"})
    tom_number = number(muster, "+4930123456101", "030", A, assigned=tom, contract_=pbx)
    mia_second = number(muster, "+4930123456102", "030", A, assigned=mia, contract_=pbx)
    number(muster, "+4930123456103", "030", P, contract_=pbx)
    number(muster, "+4930123456104", "030", OFF, contract_=pbx)
    number(muster, "+4930123456105", "030", OFF, contract_=pbx)
    number(muster, "+4930123456106", "030", A, settings=fwd, contract_=pbx)
    fax_sent = now - timedelta(days=30)
    number(muster, "+4930123456110", "030", A, kind=NumberKind.FAX, assigned=mia, fax_owner=mia,
           contract_=pbx, settings={"fax_credentials": {"mia": {
               "login": "fax4930123456110-mia", "sent_at": fax_sent.isoformat(),
               "password_hash": await hash_secret(secrets.token_urlsafe(16))}}})
    number(muster, "+4930123456111", "030", A, kind=NumberKind.FAX, contract_=pbx)
    number(muster, "+4930987654321", "030", X, contract_=pbx)
    number(muster, "+4940123456200", "040", A, assigned=admin, contract_=lines[3])
    number(muster, "+4940123456201", "040", OFF, contract_=lines[3])
    number(muster, "+4940123456202", "040", A, assigned=mia, contract_=lines[3])
    number(beispiel, "+4989123456300", "089", A, contract_=b_pbx)
    number(beispiel, "+4989123456301", "089", OFF, contract_=b_pbx)
    await s.flush()
    # R30: a block of 10 on the SIP-Trunk contract, active (030 7000000–7000009), from the pool
    block = NumberBlock(customer_id=muster.id, contract_id=trunk.id, area_prefix="030",
                        first_e164="+49307000000", last_e164="+49307000009", size=10,
                        created_at=now - timedelta(days=120))
    s.add(block)
    await s.flush()
    for i in range(10):
        number(muster, f"+4930700000{i}", "030", A, contract_=trunk).block_id = block.id
    await s.flush()

    order = PortingOrder(
        customer_id=muster.id, area_prefix="030", numbers=["+4930987654321"],
        old_provider="Alt-Telefon GmbH", account_holder="Muster GmbH",
        wished_date=today + timedelta(days=28), status=PortingStatus.CONFIRMED,
        confirmed_date=today + timedelta(days=28),
        carrier_ref=None, next_step_at=completion_time(today + timedelta(days=28)),
        created_at=now - timedelta(days=5),
        created_by_id=admin.id,
    )
    s.add(order)
    await s.flush()
    order.carrier_ref = f"SIM-{order.id:06d}"  # the simulated carrier's format (one for all)
    s.add_all(
        [
            PortingEvent(
                order_id=order.id,
                status=PortingStatus.SUBMITTED,
                note="",
                at=now - timedelta(days=5),
            ),
            PortingEvent(
                order_id=order.id,
                status=PortingStatus.CONFIRMED,
                note="Alt-Anbieter hat bestätigt",
                at=now - timedelta(days=3),
            ),
        ]
    )

    for i, (num, acc) in enumerate(
        [(mia_main, mia)] * 4 + [(mia_second, mia)] * 2 + [(mia_main, tom)]
    ):
        s.add(CallRecord(number_id=num.id, account_id=acc.id,
                         started_at=now - timedelta(days=i + 1, hours=i),
                         duration_seconds=60 * (i + 2), remote_number=f"+49301234{i:02d}XXX",
                         cost_cents=9 * (i + 1)))
    # R18: one call going on right now on the Cloud PBX main site (Tom's number)
    s.add(CallRecord(number_id=tom_number.id, account_id=tom.id,
                     started_at=now - timedelta(minutes=12), duration_seconds=None,
                     remote_number="+49891234XXX", cost_cents=0))
    uow.audit(None, "demo.seeded", customer_id=None, target="demo")
    return True
