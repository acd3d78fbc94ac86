"""Code that runs inside the Rasa server (Rasa venv). Imports only rasa, jieba and bot.parsing."""
