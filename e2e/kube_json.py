"""What the end-to-end suite's Python checks share: kubectl's JSON output read back."""
import json


def read_objects(path):
    """The objects of a file of concatenated JSON documents (as kubectl prints several) or of a List."""
    text = open(path).read()
    decoder, at, out = json.JSONDecoder(), 0, []
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return out
        doc, at = decoder.raw_decode(text, at)
        out.extend(doc["items"] if doc.get("kind") == "List" else [doc])
