"""Understanding elders as they actually speak (pure: no framework, no I/O).

``understand(text, question, lexicon)`` returns what an utterance means: an emergency (checked
first, on every turn), the answer to the question asked, or what the conversation itself
understands (skip, farewell, away, return, help, repeat, yes/no). The morphological analyser is
loaded at the first call, not at import.
"""

from backend.domain.understanding.meaning import (
    Meaning,
    MeaningKind,
    answer_for,
    emergency_in,
    understand,
)
from questions.lexicon import EMPTY, Lexicon, Rewrite

__all__ = [
    "EMPTY",
    "Lexicon",
    "Meaning",
    "MeaningKind",
    "Rewrite",
    "answer_for",
    "emergency_in",
    "understand",
]
