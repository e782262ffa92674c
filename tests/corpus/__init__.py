"""A labelled corpus of elder speech, run through the ``talk`` path (see tests/unit/test_corpus.py)."""
