"""rasa_sdk actions (thin): one module per area; logic lives in bot/."""
