"""The protocols HP printers speak besides IPP, one module each, and what they share.

* ``ledm``: LEDM, XML documents under ``/DevMgmt/`` (printers about 2010-2023).
* ``cdm``: CDM, JSON documents under ``/cdm/`` ("Dune" printers, 2023 on).
* ``vocabulary``: HP's supply and identity words both use (and IPP's parser).
* ``xmlsafe``: bounded, entity-free XML parsing for LEDM.

Pure parsers: bytes in, models out. IPP, which also prints, is ``client/ipp``.
"""
