"""Visits to 特困 people in 分散供养 and the evaluation of their caregivers (issue 17).

``rules`` (plain functions, county parameters), ``form`` (the chat form's steps and interpretation), ``service``
(database: people, saving visits, due lists, history, evaluations, flags, reminders), ``importer`` (recipients and
caregivers from CSV/XLSX), ``report`` (county report as XLSX and a PNG chart drawn by ``bot.charts``), ``demo``, ``texts``.
"""
