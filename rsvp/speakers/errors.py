"""What the speakers list refuses: each change that cannot be made says why; the caller rolls back."""

from __future__ import annotations

from rsvp.registrations.services import Window


class SpeakersError(Exception):
    """A change to the speakers list that cannot be made; the caller rolls back."""


class NoSpeakersList(SpeakersError):
    """The event has no speakers list, or it is switched off."""


class InscriptionClosed(SpeakersError):
    def __init__(self, window: Window) -> None:
        super().__init__(window.value)
        self.window = window


class InvalidInscription(SpeakersError):
    """Input the rules refuse; ``field`` names the form field at fault."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


class AlreadyInscribed(SpeakersError):
    """The delegation already holds an inscription and the event allows one per delegation."""


class TransitionRefused(SpeakersError):
    """The speaker is not in a state this change applies to."""
