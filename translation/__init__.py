"""One translation mechanism for every package: Babel catalogues, one lookup, Korean particles.

``linkage``, ``export_review`` and ``enclave`` each keep their texts and their
``locale/ko/LC_MESSAGES/<domain>.po`` catalogue; they all look texts up
through :class:`Catalogue`, in the language :func:`current_language` names.
This package imports nothing of the project, so the agency's tool and the
researcher's kernel can use it without the service.
"""

from __future__ import annotations

from translation.catalogue import N_, NP_, Catalogue, Message, MessageFormatter, catalogue_path, format_message
from translation.language import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    current_language,
    language_from_environment,
    normalize_language,
    register_language_source,
)
from translation.particles import attach_particle, final_sound, particle_for

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "NP_",
    "N_",
    "Catalogue",
    "Message",
    "MessageFormatter",
    "attach_particle",
    "catalogue_path",
    "current_language",
    "final_sound",
    "format_message",
    "language_from_environment",
    "normalize_language",
    "particle_for",
    "register_language_source",
]
