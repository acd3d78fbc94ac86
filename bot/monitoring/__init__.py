"""Routine monitoring of low-income households (常态化监测预警, issue 18).

The monthly warnings of the 陕西省低收入人口动态监测信息平台 are imported (``importer``), matched by ID hash against
applicants and cases (already assisted, an open application, or unknown), and every household neither assisted
nor applied for becomes a follow-up task for the caseworkers of its town with a deadline in working days.
Caseworkers record the result (``service``; the chat form's wording in ``form``): 纳入 a programme, 不纳入 with
the reasons under the five headings of the county's routine, or 转其他部门. ``report``: the monthly report per
town (XLSX and a PNG chart through ``bot.charts``) and the 三类人群 summary. ``rules``: plain functions (groups,
warning kinds, reasons, matching, deadlines, county parameters); ``texts``: what staff read.
"""
