"""The default prompt: the conversation as plain ``Role: text`` lines, for a model
without a chat template (a chat model is given the messages themselves).

Each message is one line, ``System:``, ``User:`` or ``Assistant:`` then its text, and the
prompt ends with ``Assistant:``, so a plain continuer writes the reply; the task's stop
string, ``\\nUser:``, ends the reply where such a model goes on to write the user's next
turn.
"""

from __future__ import annotations

#: What a template may use: the messages the model is given (each with ``role`` and
#: ``content``), ending with the user's turn.
VARIABLES = ("messages",)

PLAIN_PROMPT = (
    "{% for message in messages %}{{ message.role | capitalize }}: {{ message.content }}\n{% endfor %}Assistant:"
)

#: The task's templates by model type; ``default`` for every model.
DEFAULT_PROMPTS = {"default": PLAIN_PROMPT}
