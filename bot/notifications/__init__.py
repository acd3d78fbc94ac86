"""Proactive messages: status-notification subscriptions, the outbox and its delivery worker.

The outbox (``outbox.enqueue``) takes messages in the transaction of the change that causes them: the staff
relay (``bot.handoff.tickets``) and status changes (``bot.cases.status_changes``, through
``subscriptions.notify_subscribers``). The worker (``lueyang notify run``, or inside a front end's process) sends
them through the channel registry (``bot.channels``). This package never imports a front end or the cases area.
"""
