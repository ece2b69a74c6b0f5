"""Renderers: a document's pages as page images, one at a time, in the executor.

* ``pdf``: PDF pages by pdfium; ``image``: a JPEG or PNG fitted to the page
  (or a PNG re-encoded as JPEG); ``text``: plain text, monospace, wrapped.
* ``runner``: how their blocking code runs: in the executor, timed against
  the document's budget, ``MemoryError`` as ``HPEWSOutOfMemoryError``.

Each renderer checks its own bounds before the work they guard (pixels from
an image's header, pages of a text while counting them).
"""
