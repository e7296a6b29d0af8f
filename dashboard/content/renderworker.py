"""The process that renders statement bodies for rendering.py.

Run as a script, not imported: it loads richtext.py beside it by path, so that it starts with
markdown-it and nh3 alone (a fifth of a second) rather than the whole package. It reads a body
(four bytes of length, big-endian, then UTF-8) from stdin and answers on stdout with a status
byte (0 rendered, 1 failed), four bytes of length and the HTML or the error, until stdin
closes: when the process that started it ends, so does it.
"""

import importlib.util
import struct
import sys
from pathlib import Path


def _richtext():
    spec = importlib.util.spec_from_file_location(
        "richtext", Path(__file__).with_name("richtext.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    render = _richtext().render
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = requests.read(4)
        if len(header) < 4:
            return
        (size,) = struct.unpack(">I", header)
        body = requests.read(size).decode("utf-8")
        try:
            status, text = b"\x00", render(body)
        except Exception as error:  # the writer is told, and refuses the body
            status, text = b"\x01", f"{type(error).__name__}: {error}"
        data = text.encode("utf-8")
        answers.write(status + struct.pack(">I", len(data)) + data)
        answers.flush()


if __name__ == "__main__":
    main()
