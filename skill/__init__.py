"""Alexa skill: the voice and screen conversation of the daily check-in."""
