"""Client library for HP printers on the local network: CDM, LEDM and IPP."""
