"""An office's own document types, defined as data: from a Word template to a wizard, a JSON Schema and
the validator, through the same `DocType` vocabulary as the built-in types (docgen/definition.py).

- definition.py: the JSON definition format, checked (Polish messages with places), to and from DocType;
- infer.py: a definition proposed from an uploaded template's placeholders;
- card.py: what such a type may take from the family card; example.py: its example data;
- rules.py: the rules across fields data can state; words.py: Polish labels drafted from names;
- shipped.py: the types shipped as data files (shipped/*.json) for every office to use and edit.
Storage (versions, publishing, the office's registry of types) is docgen/store/office_types.py.
"""
