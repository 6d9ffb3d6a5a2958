"""Contract overview services (R1): customer numbers, products, sites, tenant isolation."""

from __future__ import annotations

import pytest

from core.authz import Actor
from core.errors import NotFound, PermissionDenied, ValidationError
from core.models import CREDENTIAL_ELIGIBLE_TYPES
from core.runtime import Core
from core.services import contracts


async def test_customer_numbers_of_own_customer_only(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    mine = await demo_core.read(contracts.list_customer_numbers, actors["admin"])
    assert [n.number for n in mine] == ["1000001", "1000002"]
    assert all(n.contract_count > 0 for n in mine)
    other = await demo_core.read(contracts.list_customer_numbers, actors["beispiel"])
    assert [n.number for n in other] == ["2000001"]


async def test_every_product_listed_and_filters_narrow(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    everything = await demo_core.read(contracts.list_contracts, admin)
    assert {c.product for c in everything} == set(contracts.PRODUCTS)
    assert all(c.customer_number in ("1000001", "1000002") for c in everything)
    pbx = await demo_core.read(contracts.list_contracts, admin, product="cloud_pbx")
    assert pbx and {c.product for c in pbx} == {"cloud_pbx"}
    second = await demo_core.read(contracts.list_contracts, admin, customer_number="1000002")
    assert second and {c.customer_number for c in second} == {"1000002"}
    leipzig = await demo_core.read(contracts.list_contracts, admin, query="leipZIG")
    assert [c.site_name for c in leipzig] == ["Filiale Leipzig"]


async def test_has_line_follows_r2_types(demo_core: Core, actors: dict[str, Actor]) -> None:
    eligible = {t.value for t in CREDENTIAL_ELIGIBLE_TYPES}
    for view in await demo_core.read(contracts.list_contracts, actors["admin"]):
        assert view.has_line == (view.type in eligible), view.type


async def test_main_site_lists_its_branches(demo_core: Core, actors: dict[str, Actor]) -> None:
    views = await demo_core.read(contracts.list_contracts, actors["admin"])
    by_id = {v.id: v for v in views}
    main = next(v for v in views if v.type == "cloud_pbx_main")
    assert len(main.sites) == 2
    branches = [by_id[i] for i in main.site_ids]
    assert {b.type for b in branches} == {"cloud_pbx_branch"}
    assert all(b.parent_id == main.id and b.parent_ref == main.contract_ref for b in branches)
    framework = next(v for v in views if v.type == "companyflex")
    assert len(framework.sites) == 3
    detail = await demo_core.read(contracts.get_contract, actors["admin"], contract_id=main.id)
    assert detail.sites == main.sites
    assert detail.address == "Friedrichstraße 123, 10117 Berlin"


async def test_other_customer_is_refused(demo_core: Core, actors: dict[str, Actor]) -> None:
    muster = await demo_core.read(contracts.list_contracts, actors["admin"])
    with pytest.raises(NotFound) as err:  # the same answer as for a contract that does not exist
        await demo_core.read(contracts.get_contract, actors["beispiel"], contract_id=muster[0].id)
    assert err.value.key == "contracts.error.not_found"
    with pytest.raises(NotFound):
        await demo_core.read(
            contracts.list_contracts, actors["beispiel"], customer_number="1000001"
        )
    with pytest.raises(NotFound):
        await demo_core.read(
            contracts.find_contract_id, actors["beispiel"], ref=muster[0].contract_ref
        )


async def test_employee_and_unopened_support_see_no_contracts(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    with pytest.raises(PermissionDenied):
        await demo_core.read(contracts.list_contracts, actors["mia"])
    with pytest.raises(PermissionDenied):
        await demo_core.read(contracts.list_contracts, actors["support"])
    muster_id = actors["admin"].customer_id
    opened = actors["support"].for_customer(muster_id, customer_name="Muster GmbH")
    assert await demo_core.read(contracts.list_contracts, opened)


async def test_unknown_product_is_a_validation_error(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    with pytest.raises(ValidationError):
        await demo_core.read(contracts.list_contracts, actors["admin"], product="dsl")


async def test_find_contract_by_ref_or_id(demo_core: Core, actors: dict[str, Actor]) -> None:
    view = (await demo_core.read(contracts.list_contracts, actors["admin"]))[0]
    found = await demo_core.read(contracts.find_contract_id, actors["admin"], ref=view.contract_ref)
    assert found == view.id
    assert (
        await demo_core.read(contracts.find_contract_id, actors["admin"], ref=str(view.id))
        == view.id
    )


def test_every_key_of_this_issue_exists() -> None:
    """Keys used by the contracts, credentials and users code are all in the catalog
    (f-string prefixes such as ``contracts.type.`` are completed from model values)."""
    import ast
    from pathlib import Path

    from core import i18n
    from core.models import ContractType, Product

    root = Path(__file__).resolve().parents[2]
    files = [
        "core/services/contracts.py", "core/services/credentials.py", "core/services/users.py",
        "screens/contract_overview.py", "screens/credential_wizard.py", "screens/users.py",
    ]
    used: set[str] = set()
    for name in files:
        for node in ast.walk(ast.parse((root / name).read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                if (
                    value.split(".")[0] in {"contracts", "credentials", "users"}
                    and " " not in value
                    and value.count(".") >= 1
                    and not value.endswith((".", ".tcss"))
                ):
                    used.add(value)
    used.discard("credentials.generated")  # an audit action, not a text
    used |= {f"contracts.type.{t.value}" for t in ContractType}
    used |= {f"contracts.product.{p.value}" for p in Product}
    assert len(used) > 80
    assert sorted(k for k in used if k not in i18n.CATALOG) == []
