"""surveillance-kg: a cited knowledge graph of government-surveillance procurement.

Nothing is loaded at import time: the ontology, the registry and the store are
opened lazily by the functions that need them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("surveillance-kg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
