"""Oxigraph's WebAssembly build as one classic script the query page can load from disk.

The npm package ``oxigraph`` ships ``web.js`` (an ES module) and
``web_bg.wasm``. From ``file://`` Chromium refuses ES modules and ``fetch``,
so the site turns the two vendored files, unchanged in ``lod/site/vendor/``,
into one classic script: the module's ``export`` keywords dropped, its only
``import.meta`` use (the async loader the page never calls) replaced, the
``.wasm`` embedded as base64 and started with ``initSync``; the script sets
``window.oxigraph``. Every edit is a literal replacement that must match
exactly, so a different ``web.js`` fails the build loudly instead of giving a
half-working engine. The result is a pure function of the vendored bytes.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources as package_files

#: The vendored release; the files and their checksums are listed in lod/site/static/VENDORED.txt.
OXIGRAPH_VERSION = "0.5.11"
_EXPORT_RE = re.compile(r"^export (class|function) ", re.MULTILINE)
_EXPORT_LIST = "export { initSync, __wbg_init as default };"
_IMPORT_META = "new URL('web_bg.wasm', import.meta.url)"
#: The names the page uses (the rest of the module stays private to the script).
_EXPOSED = ("Store", "NamedNode", "Literal", "BlankNode", "initSync")


class EngineError(Exception):
    """The vendored ``web.js`` is not the one this module knows how to wrap."""


def vendored(name: str) -> bytes:
    """One vendored file of the oxigraph package."""
    return package_files.files("lod.site").joinpath("vendor", "oxigraph", name).read_bytes()


def classic_script(module_text: str, wasm: bytes) -> str:
    """``web.js`` and the ``.wasm`` as one classic script that sets ``window.oxigraph``."""
    exports = len(_EXPORT_RE.findall(module_text))
    if _EXPORT_LIST not in module_text or _IMPORT_META not in module_text or exports < len(
            _EXPOSED) - 1:
        raise EngineError("lod/site/vendor/oxigraph/web.js is not the vendored release "
                          f"{OXIGRAPH_VERSION}: its exports differ")
    body = _EXPORT_RE.sub(r"\1 ", module_text)
    body = body.replace(_EXPORT_LIST, "").replace(_IMPORT_META, "undefined")
    if "import.meta" in body or re.search(r"^\s*(?:export|import)\b", body, re.MULTILINE):
        raise EngineError("lod/site/vendor/oxigraph/web.js still has module syntax after wrapping")
    encoded = base64.b64encode(wasm).decode("ascii")
    exposed = ", ".join(f"{name}: {name}" for name in _EXPOSED)
    return (
        f"/* Oxigraph {OXIGRAPH_VERSION} (npm package \"oxigraph\", web.js and web_bg.wasm, "
        "MIT OR Apache-2.0; see oxigraph.LICENSE.txt),\n"
        "   wrapped by lod/site/engine.py as a classic script. */\n"
        "(function () {\n'use strict';\nvar started = performance.now();\n"
        f"{body}\n"
        f"var wasmBase64 = \"{encoded}\";\n"
        "var raw = atob(wasmBase64);\n"
        "var bytes = new Uint8Array(raw.length);\n"
        "for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }\n"
        "initSync({ module: bytes });\n"
        f"window.oxigraph = {{ {exposed}, version: \"{OXIGRAPH_VERSION}\",\n"
        "  started: started, startMs: performance.now() - started };\n"
        "})();\n"
    )


@cache
def engine_script() -> bytes:
    """The classic script of the vendored engine (built once per process)."""
    text = vendored("web.js").decode("utf-8")
    return classic_script(text, vendored("web_bg.wasm")).encode("utf-8")
