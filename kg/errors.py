"""User-facing errors: each carries one line that names the thing and the fix."""


class KgError(Exception):
    """An error the CLI prints as one line and turns into a non-zero exit."""


class StoreLocked(KgError):
    """Another process holds the store open for writing."""


class InputError(KgError):
    """A source file cannot be read; the message names the file (and record/field)."""


class OntologyError(KgError):
    """The ontology or the reference registry is broken; raised at load time."""
