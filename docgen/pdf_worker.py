"""One PDF worker: connects to a headless LibreOffice over UNO and converts on request.

Run by `docgen.pdf.PdfPool` with a Python that can `import uno` (Debian: the system
/usr/bin/python3 with `python3-uno`), never imported by the app: stdlib and uno only.

    python3 pdf_worker.py PORT CONNECT_TIMEOUT_SECONDS [PROFILE]

PROFILE (unused here) is the LibreOffice profile folder it serves: it puts the pool's folder in this
process's command line, by which a new pool recognises it as a dead pool's (docgen/pdf_cleanup.py).

Protocol, one JSON object per line:
- the worker first writes {"ready": true} once connected, or {"ready": false, "error": ...};
- then reads jobs {"id": N, "in": PATH, "out": PATH, "stall": SECONDS} from stdin and answers
  each with {"id": N, "ok": true} or {"id": N, "ok": false, "error": TEXT, "fatal": BOOL}.
  "fatal" means LibreOffice no longer answers: the worker must be restarted.
  "stall" is fault injection for tests: wait that long before converting.
It exits at the end of stdin or after a fatal error.
"""
import contextlib
import json
import os
import sys
import time

PROTOCOL = sys.stdout
uno = PropertyValue = None  # loaded by main(): importing this module (the engine's import check) needs no uno


def load_uno():
    global PROTOCOL, uno, PropertyValue
    # only the protocol may go to stdout: anything printed by uno or LibreOffice goes to stderr
    PROTOCOL = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    import uno as bridge
    from com.sun.star.beans import PropertyValue as property_value
    uno, PropertyValue = bridge, property_value


def send(message):
    PROTOCOL.write(json.dumps(message) + "\n")
    PROTOCOL.flush()


def props(**values):
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


def connect(port, deadline):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    url = f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
    while True:
        try:
            ctx = resolver.resolve(url)
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:  # NoConnectException while LibreOffice starts
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def alive(desktop):
    try:
        desktop.getFrames()
        return True
    except Exception:
        return False


def convert(desktop, source, target):
    # read as Word only (garbage is refused, not printed as text); never run macros or update links
    load = props(Hidden=True, ReadOnly=True, FilterName="MS Word 2007 XML", MacroExecutionMode=0, UpdateDocMode=0)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, load)
    if doc is None:
        raise RuntimeError("LibreOffice could not open the document")
    try:
        doc.storeToURL(uno.systemPathToFileUrl(target), props(FilterName="writer_pdf_Export"))
    finally:
        # a document LibreOffice already dropped cannot be closed; the conversion's own error wins
        with contextlib.suppress(Exception):
            doc.close(True)


def main():
    port, connect_timeout = int(sys.argv[1]), float(sys.argv[2])
    try:
        load_uno()
        desktop = connect(port, time.monotonic() + connect_timeout)
    except Exception as exc:
        send({"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return 1
    send({"ready": True})
    for line in sys.stdin:
        job = json.loads(line)
        if job.get("stall"):
            time.sleep(float(job["stall"]))
        try:
            convert(desktop, job["in"], job["out"])
        except Exception as exc:
            fatal = not alive(desktop)
            send({"id": job["id"], "ok": False, "error": f"{type(exc).__name__}: {exc}", "fatal": fatal})
            if fatal:
                return 1
        else:
            send({"id": job["id"], "ok": True})
    return 0


if __name__ == "__main__":
    sys.exit(main())
