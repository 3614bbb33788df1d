"""The VBA project of an add-in: compound file (MS-CFB) and VBA project streams (MS-OVBA)."""
