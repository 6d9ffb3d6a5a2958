"""R20 step-up code: policy, binding to account + action + object, expiry, single use,
5 wrong entries, rate limit, hashing, and never in logs or the audit log (injected clock)."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.authz import Actor
from core.clock import FixedClock
from core.errors import PermissionDenied, RuleViolation, ValidationError
from core.models import AuditEvent, CallRecord, Contract, ContractType, Customer, StepUpCode
from core.runtime import Core
from core.services import credentials, numbers, operators, stepup
from tests.stepup_helpers import request_code, run_with_code, take_code_from_outbox

MIA_MAIN = "+4930123456100"
INACTIVE = "+4930123456105"


async def cloud_main(core: Core) -> int:
    async with core.uow(readonly=True) as uow:
        cid = await uow.session.scalar(
            select(Contract.id).where(Contract.type == ContractType.CLOUD_PBX_MAIN,
                                      Contract.contract_ref.like("V-1000%"))
            .order_by(Contract.id).limit(1))
    assert cid is not None
    return cid


async def ref(core: Core, cid: int) -> str:
    """The contract reference: what a credentials code is bound to (and the Archiv shows)."""
    async with core.uow(readonly=True) as uow:
        contract = await uow.session.get(Contract, cid)
    assert contract is not None
    return contract.contract_ref


async def generate(core: Core, actor: Actor, cid: int, code: str | None) -> object:
    return await core.run(credentials.generate, actor, contract_id=cid, consent=True, code=code)


async def audit_actions(core: Core) -> list[str]:
    async with core.uow(readonly=True) as uow:
        return list(await uow.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("stepup.%"))
            .order_by(AuditEvent.id)))


async def test_policy_is_on_for_demo_and_new_customers(demo_core: Core) -> None:
    async with demo_core.uow() as uow:
        await operators.add_customer(uow, name="Neu KG", customer_numbers=["3000001"])
    async with demo_core.uow(readonly=True) as uow:
        flags = {name: on for name, on in (await uow.session.execute(
            select(Customer.name, Customer.stepup_required))).all()}
    assert flags == {"Muster GmbH": True, "Beispiel AG": True, "Neu KG": True}


async def test_without_code_the_action_asks_for_one_and_changes_nothing(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    cid = await cloud_main(demo_core)
    with pytest.raises(stepup.StepUpRequired) as needed:
        await generate(demo_core, actors["admin"], cid, None)
    assert needed.value.rule == "R20"
    assert needed.value.masked_mobile == "+49170*****67"  # the acting admin's own mobile
    assert (needed.value.action, needed.value.object_id) == (
        stepup.GENERATE, await ref(demo_core, cid))
    assert "+49170*****67" in needed.value.render("de")
    sent = await demo_core.run(stepup.request, actors["admin"], action=needed.value.action,
                               object_id=needed.value.object_id)
    assert sent.masked_mobile == "+49170*****67"
    assert sent.expires_at == demo_core.clock.now() + timedelta(minutes=10)
    await demo_core.dispatcher.dispatch_once()
    sms = json.loads((demo_core.settings.data_dir / "sms.jsonl").read_text().splitlines()[-1])
    assert sms["to"] == "+491701234567"
    code = sms["text"].split(": ")[-1].split(".")[0]
    assert len(code) == 6 and code.isdigit()
    result = await generate(demo_core, actors["admin"], cid, code)
    assert isinstance(result, credentials.CredentialResult)
    assert await audit_actions(demo_core) == ["stepup.code_requested", "stepup.code_used"]


async def test_code_is_single_use(demo_core: Core, actors: dict[str, Actor]) -> None:
    cid = await cloud_main(demo_core)
    code = await request_code(
        demo_core, actors["admin"], stepup.GENERATE, await ref(demo_core, cid))
    await generate(demo_core, actors["admin"], cid, code)
    with pytest.raises(RuleViolation) as again:
        await generate(demo_core, actors["admin"], cid, code)
    assert again.value.key == "stepup.error.used"


async def test_code_expires_after_ten_minutes(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    cid = await cloud_main(demo_core)
    code = await request_code(
        demo_core, actors["admin"], stepup.GENERATE, await ref(demo_core, cid))
    clock.advance(timedelta(minutes=10))
    with pytest.raises(RuleViolation) as late:
        await generate(demo_core, actors["admin"], cid, code)
    assert late.value.key == "stepup.error.expired"
    code = await request_code(
        demo_core, actors["admin"], stepup.GENERATE, await ref(demo_core, cid))
    clock.advance(timedelta(minutes=9, seconds=59))
    assert isinstance(await generate(demo_core, actors["admin"], cid, code),
                      credentials.CredentialResult)


async def test_code_is_bound_to_action_object_and_account(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    cid = await cloud_main(demo_core)
    # a code for a swap cannot generate credentials
    swap_code = await request_code(demo_core, admin, stepup.SWAP, f"{MIA_MAIN}>{INACTIVE}")
    with pytest.raises(RuleViolation) as other_action:
        await generate(demo_core, admin, cid, swap_code)
    assert other_action.value.key == "stepup.error.no_code"
    # a code for another contract cannot generate for this one
    other = await request_code(demo_core, admin, stepup.GENERATE, await ref(demo_core, cid + 1))
    with pytest.raises(RuleViolation) as other_object:
        await generate(demo_core, admin, cid, other)
    assert other_object.value.key == "stepup.error.no_code"
    # a swap code is bound to both numbers
    with pytest.raises(RuleViolation):
        await demo_core.run(numbers.swap, admin, old=MIA_MAIN, new="+4930123456106",
                            code=swap_code)
    # support acting for the customer cannot use the admin's code
    support = actors["support"].for_customer(admin.customer_id, customer_name="Muster GmbH",
                                             reason="T-1")
    mine = await request_code(demo_core, admin, stepup.GENERATE, await ref(demo_core, cid))
    with pytest.raises(RuleViolation):
        await generate(demo_core, support, cid, mine)
    # the swap code still swaps exactly its numbers
    result = await demo_core.run(numbers.swap, admin, old=MIA_MAIN, new=INACTIVE, code=swap_code)
    assert result.new.status == "active"


async def test_a_new_code_replaces_the_older_one(demo_core: Core, actors: dict[str, Actor]) -> None:
    cid = await cloud_main(demo_core)
    first = await request_code(
        demo_core, actors["admin"], stepup.GENERATE, await ref(demo_core, cid))
    second = await request_code(
        demo_core, actors["admin"], stepup.GENERATE, await ref(demo_core, cid))
    if first != second:
        with pytest.raises(RuleViolation):
            await generate(demo_core, actors["admin"], cid, first)
    assert isinstance(await generate(demo_core, actors["admin"], cid, second),
                      credentials.CredentialResult)


async def test_five_wrong_entries_void_the_code(demo_core: Core, actors: dict[str, Actor]) -> None:
    cid = await cloud_main(demo_core)
    code = await request_code(
        demo_core, actors["admin"], stepup.GENERATE, await ref(demo_core, cid))
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(RuleViolation) as err:
            await generate(demo_core, actors["admin"], cid, wrong)
        assert err.value.key == "stepup.error.wrong" and err.value.params["left"] == left
    with pytest.raises(RuleViolation) as fifth:
        await generate(demo_core, actors["admin"], cid, wrong)
    assert fifth.value.key == "stepup.error.voided"
    with pytest.raises(RuleViolation) as right_too_late:
        await generate(demo_core, actors["admin"], cid, code)
    assert right_too_late.value.key == "stepup.error.voided"
    async with demo_core.uow(readonly=True) as uow:
        contract = await uow.session.get(Contract, cid)
    assert contract is not None and contract.credentials_generated_at != demo_core.clock.now()
    assert (await audit_actions(demo_core))[-1] == "stepup.code_voided"


@pytest.mark.parametrize("typo", ["12345", "1234567", "abcdef", "12 34 5", "１２３４５６"])
async def test_something_that_is_no_code_uses_up_no_try(
    demo_core: Core, actors: dict[str, Actor], typo: str
) -> None:
    """`--code 12345` (a digit missing) was counted as a wrong code ('Noch 4 Versuche'):
    five slips voided the real code. It is a usage error (exit 2) and counts nothing."""
    cid = await cloud_main(demo_core)
    code = await request_code(
        demo_core, actors["admin"], stepup.GENERATE, await ref(demo_core, cid))
    for _ in range(stepup.MAX_ATTEMPTS + 1):
        with pytest.raises(ValidationError) as err:
            await generate(demo_core, actors["admin"], cid, typo)
        assert err.value.key == "stepup.error.format" and err.value.exit_code == 2
    assert "nicht gezählt" in err.value.render("de")
    spaced = f"{code[:3]} {code[3:]}"  # as typed from the SMS, with a blank
    assert isinstance(await generate(demo_core, actors["admin"], cid, spaced),
                      credentials.CredentialResult)


async def test_four_wrong_then_the_right_one_works(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    cid = await cloud_main(demo_core)
    code = await request_code(
        demo_core, actors["admin"], stepup.GENERATE, await ref(demo_core, cid))
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(RuleViolation):
            await generate(demo_core, actors["admin"], cid, wrong)
    assert isinstance(await generate(demo_core, actors["admin"], cid, code),
                      credentials.CredentialResult)


async def test_rate_limit_five_requests_per_fifteen_minutes(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    cid = await cloud_main(demo_core)
    for _ in range(5):
        await demo_core.run(stepup.request, actors["admin"], action=stepup.GENERATE,
                            object_id=await ref(demo_core, cid))
        clock.advance(timedelta(minutes=2))
    with pytest.raises(RuleViolation) as limited:
        await demo_core.run(stepup.request, actors["admin"], action=stepup.SWAP, object_id="x")
    assert limited.value.key == "stepup.error.rate_limited"
    clock.advance(timedelta(minutes=7, seconds=1))  # the first request is 15 min old now
    await demo_core.run(stepup.request, actors["admin"], action=stepup.GENERATE,
                        object_id=await ref(demo_core, cid))


async def test_swap_and_assign_with_deletion_need_a_code_plain_assign_does_not(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    with pytest.raises(stepup.StepUpRequired) as swap:
        await demo_core.run(numbers.swap, admin, old=MIA_MAIN, new=INACTIVE)
    assert swap.value.object_id == f"{MIA_MAIN}>{INACTIVE}"
    with pytest.raises(stepup.StepUpRequired) as assign:
        await demo_core.run(numbers.assign, admin, number=MIA_MAIN, username="tom",
                            delete_traffic_data=True)
    assert (assign.value.action, assign.value.object_id) == (stepup.ASSIGN_DELETE, MIA_MAIN)
    async with demo_core.uow(readonly=True) as uow:
        kept = len((await uow.session.scalars(
            select(CallRecord).where(CallRecord.deleted.is_(False)))).all())
    view = await demo_core.run(numbers.assign, admin, number=MIA_MAIN, username="tom")
    assert view.assigned_to == "tom"
    view = await run_with_code(demo_core, numbers.assign, admin, number=MIA_MAIN,
                               username="mia", delete_traffic_data=True)
    assert view.assigned_to == "mia"
    async with demo_core.uow(readonly=True) as uow:
        left = len((await uow.session.scalars(
            select(CallRecord).where(CallRecord.deleted.is_(False)))).all())
    assert left < kept


async def test_policy_off_needs_a_code_on_does_not_and_off_means_no_code(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    with pytest.raises(stepup.StepUpRequired) as needed:
        await demo_core.run(stepup.set_policy, admin, required=False)
    assert needed.value.action == stepup.POLICY_OFF
    with pytest.raises(PermissionDenied):
        await demo_core.run(stepup.set_policy, actors["mia"], required=False)
    code = await request_code(demo_core, admin, needed.value.action, needed.value.object_id)
    policy = await demo_core.run(stepup.set_policy, admin, required=False, code=code)
    assert policy.required is False
    assert (await demo_core.read(stepup.get_policy, admin)).required is False
    result = await demo_core.run(credentials.generate, admin, contract_id=await cloud_main(
        demo_core), consent=True)
    assert isinstance(result, credentials.CredentialResult)
    assert (await demo_core.run(stepup.set_policy, admin, required=True)).required is True
    with pytest.raises(stepup.StepUpRequired):
        await demo_core.run(numbers.swap, admin, old=MIA_MAIN, new=INACTIVE)
    # the other customer's policy was never touched
    assert (await demo_core.read(stepup.get_policy, actors["beispiel"])).required is True


async def test_no_mobile_no_code(demo_core: Core, actors: dict[str, Actor]) -> None:
    async with demo_core.uow() as uow:
        await operators.add_account(uow, username="admin3", role="admin",
                                    customer_number="1000001", password="third-admin-pw",
                                    email="admin3@muster-gmbh.de", mobile=None)
    from tests.conftest import login

    third = await login(demo_core, "admin3", "third-admin-pw")
    with pytest.raises(RuleViolation) as refused:
        await demo_core.run(numbers.swap, third, old=MIA_MAIN, new=INACTIVE)
    assert refused.value.key == "stepup.error.no_mobile"


async def test_code_stored_only_as_keyed_hash_never_logged_nor_audited(
    demo_core: Core, actors: dict[str, Actor], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cid = await cloud_main(demo_core)
    await demo_core.run(stepup.request, actors["admin"], action=stepup.GENERATE,
                        object_id=await ref(demo_core, cid))
    async with demo_core.uow(readonly=True) as uow:
        row = await uow.session.scalar(select(StepUpCode))
    code = await take_code_from_outbox(demo_core)
    assert row is not None and code not in row.code_hash and len(row.code_hash) == 64
    # the hash is keyed: without the secret key, trying all 10^6 codes finds nothing
    import hashlib

    plain = f"{row.account_id}|{row.action}|{row.object_id}|{code}".encode()
    assert hashlib.sha256(plain).hexdigest() != row.code_hash
    await generate(demo_core, actors["admin"], cid, code)
    alone = re.compile(rf"(?<!\d){code}(?!\d)")  # not as a part of a phone number
    async with demo_core.uow(readonly=True) as uow:
        rows = (await uow.session.scalars(select(AuditEvent))).all()
        stored = (await uow.session.scalars(select(StepUpCode))).all()
    assert {r.action for r in rows} >= {"stepup.code_requested", "stepup.code_used"}
    assert not any(alone.search(json.dumps(r.details) + r.target) for r in rows)
    assert [r.status for r in stored] == ["used"]
    assert not alone.search(caplog.text)


async def test_command_mode_policy(demo_core: Core, actors: dict[str, Actor]) -> None:
    from ssh_server.commands import execute
    from tests.stepup_helpers import execute_with_code

    admin = actors["admin"]
    status = await execute(demo_core, admin, "stepup status --json")
    assert status.exit_code == 0 and json.loads(status.stdout) == {"required": True}
    first = await execute(demo_core, admin, "stepup off")
    assert first.exit_code == 4 and "+49170*****67" in first.stderr
    off = await execute_with_code(demo_core, admin, "stepup off --json")
    assert off.exit_code == 0 and json.loads(off.stdout) == {"required": False}
    assert (await execute(demo_core, actors["mia"], "stepup on")).exit_code == 3
    on = await execute(demo_core, admin, "stepup on")
    assert on.exit_code == 0 and "eingeschaltet" in on.stdout
