"""Printing: a document, from a file or a stream, onto a printer.

One concern per module, in the order a print job meets them:

* ``options``: :class:`~.options.PrintOptions`, checked when made; media
  names and sizes; page ranges and the page limit.
* ``capabilities``: what printing asks the printer (``PRINT_ATTRIBUTES``)
  and the raster settings made of its answer. The answer is the one
  capability model, ``models.PrintCapabilities``, parsed by
  ``ipp.attributes`` for printing and for the snapshot alike.
* ``formats``: MIME types, sniffing a document's format, and choosing what
  to send (as is, or converted).
* ``spool``: reading a document source within its bounds (``os.pread`` on
  one descriptor, FIFOs refused, streams spooled to an anonymous file).
* ``convert``: :func:`~.convert.prepare_document`, the pipeline from source
  to the bytes sent, and the list of bounds every document is held to.
* ``render``: PDF, image and text pages (pdfium, Pillow) in the executor.
* ``raster``: the PWG Raster and Apple URF encoders.
* ``submit``: the IPP print flow (Validate-Job, Print-Job or Create-Job and
  Send-Document, busy retries) and following, waiting for and cancelling
  jobs; ``raw``: the raw port (9100) for printers without IPP.

Users import the names they need from the library's root, not from here.
"""
