"""Human handoff: callback tickets, the staff relay, office hours, and emergency triage.

- ``crisis.detect_crisis(text)``: acute-danger wording, for any action or form validation.
- ``service``: what the Rasa actions call (tickets, staff commands, emergency replies).
- ``tickets``: the ticket operations over a session (CLI and tests).
"""
