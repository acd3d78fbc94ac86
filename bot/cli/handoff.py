"""`lueyang handoff ...`: the ticket queue from the office PC (admin scope).

queue | show N | take N [--as NAME] | reply N TEXT [--as NAME] | done N
Replies go to the resident through the outbox (sent by `lueyang notify run`). ``--as`` names the staff
record the action is done for (default: 办公电脑).
"""

from __future__ import annotations

import argparse

from bot.audit.log import add_entry
from bot.cases.staff import get_staff
from bot.db.session import session_scope
from bot.errors import AccessDenied, InputError, NotFound
from bot.handoff import texts, tickets
from bot.handoff.actors import StaffActor, cli_actor


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("handoff", help="callback tickets: queue, show, take, reply, done")
    sub = p.add_subparsers(dest="handoff_command", metavar="ACTION", required=True)
    q = sub.add_parser("queue", help="open tickets, urgent first")
    q.set_defaults(func=_queue)
    show = sub.add_parser("show", help="a ticket with its messages and the full phone number")
    show.add_argument("ticket")
    show.set_defaults(func=_show)
    for name, helptext in (("take", "take a ticket"), ("done", "close a ticket (the resident is told)")):
        sp = sub.add_parser(name, help=helptext)
        sp.add_argument("ticket")
        sp.add_argument("--as", dest="as_staff", default=None, help="staff name or id acting")
        sp.set_defaults(func=_take if name == "take" else _done)
    rp = sub.add_parser("reply", help="send a message to the resident")
    rp.add_argument("ticket")
    rp.add_argument("text", nargs="+")
    rp.add_argument("--as", dest="as_staff", default=None, help="staff name or id acting")
    rp.set_defaults(func=_reply)


def _actor(session, as_staff: str | None):
    if not as_staff:
        return cli_actor()
    staff = get_staff(session, as_staff)
    # the office PC acts with admin scope, named after the staff member
    return StaffActor(name=staff.name, role="admin", staff_id=staff.id)


def _run(func, args: argparse.Namespace) -> int:
    with session_scope() as session:
        actor = _actor(session, getattr(args, "as_staff", None))
        try:
            text, ticket_id = func(session, actor, args)
        except NotFound:
            print("没有这张工单。")
            return 1
        except (InputError, AccessDenied) as exc:
            print(getattr(exc, "reason", None) or exc.user_message)
            return 1
        add_entry(
            session,
            sender_id="cli",
            action=f"handoff_{args.handoff_command}",
            topic=f"工单#{ticket_id}" if ticket_id else "工单列表",
            role="staff",
            staff_id=actor.staff_id,
            channel="cli",
        )
    print(text)
    return 0


def _queue(args: argparse.Namespace) -> int:
    return _run(lambda s, a, _args: (texts.queue_text(tickets.queue(s, a, limit=200)), None), args)


def _show(args: argparse.Namespace) -> int:
    def show(s, a, args):
        t = tickets.get_ticket(s, a, args.ticket)
        return texts.ticket_detail(t, full_phone=True, messages=100), t.id

    return _run(show, args)


def _take(args: argparse.Namespace) -> int:
    def take(s, a, args):
        t = tickets.take(s, a, args.ticket)
        return texts.ticket_detail(t, full_phone=True), t.id

    return _run(take, args)


def _reply(args: argparse.Namespace) -> int:
    def reply(s, a, args):
        t = tickets.staff_reply(s, a, args.ticket, " ".join(args.text))
        return texts.reply_sent(t), t.id

    return _run(reply, args)


def _done(args: argparse.Namespace) -> int:
    def done(s, a, args):
        t = tickets.close(s, a, args.ticket)
        return texts.done_text(t), t.id

    return _run(done, args)
