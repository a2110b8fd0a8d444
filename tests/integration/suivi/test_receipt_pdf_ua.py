"""The accusé de réception is PDF/UA-1 (RGAA for documents, ISO 14289-1):
read back with pypdf, its identification, language, title, structure tree
and the table headers of « Documents transmis » in a THead."""

import io
import re
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from tests.support.receipts import file_through_wizard, pdf_bytes, pdf_text, transmit

PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"


@pytest.fixture
def app_config(tmp_path):
    return {"PUBLIC_URL": "http://aides.region.example", "REGION_NAME": "Région Occitanie", "ATTACHMENTS_DIR": str(tmp_path / "pj")}


@pytest.fixture
def pdf(teleservices_open, lycee, teacher_client, app):
    receipt = transmit(file_through_wizard(teacher_client), lycee.referent)
    return receipt, pdf_bytes(app, receipt)


def _xmp(reader: PdfReader) -> ElementTree.Element:
    assert reader.xmp_metadata is not None, "no XMP metadata stream"
    return ElementTree.fromstring(reader.xmp_metadata.stream.get_data())


def _pdfua_part(xmp: ElementTree.Element) -> str | None:
    """``pdfuaid:part``, written as an attribute or as an element."""
    for description in xmp.iter(f"{{{RDF}}}Description"):
        if f"{{{PDFUAID}}}part" in description.attrib:
            return description.attrib[f"{{{PDFUAID}}}part"]
        element = description.find(f"{{{PDFUAID}}}part")
        if element is not None:
            return element.text
    return None


def _xmp_title(xmp: ElementTree.Element) -> str | None:
    title = xmp.find(f".//{{{DC}}}title//{{{RDF}}}li")
    return title.text if title is not None else None


def _structure(node, found: list) -> list:
    """The structure types (/S) of the tree, depth first, each with its children's types."""
    node = node.get_object()
    kids = node.get("/K")
    if kids is None:
        return found
    children = [kid.get_object() for kid in (kids if isinstance(kids, list) else [kids]) if hasattr(kid, "get_object")]
    children = [child for child in children if hasattr(child, "keys") and "/S" in child]
    if "/S" in node:
        found.append((str(node["/S"]), [str(child["/S"]) for child in children], node))
    for child in children:
        _structure(child, found)
    return found


def test_the_receipt_is_identified_as_pdf_ua_1_in_its_xmp_metadata(pdf):
    _, data = pdf
    reader = PdfReader(io.BytesIO(data))
    assert _pdfua_part(_xmp(reader)) == "1"


def test_the_receipt_is_tagged_in_french_with_its_title_displayed(pdf):
    receipt, data = pdf
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert str(catalog["/Lang"]) == "fr"
    assert "/StructTreeRoot" in catalog
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    title = f"Accusé de réception et récapitulatif – {receipt.demande.reference}"
    assert reader.metadata.title == title
    assert _xmp_title(_xmp(reader)) == title
    assert reader.metadata.author and "Région Occitanie" in reader.metadata.author


def test_the_structure_tree_has_the_headings_and_the_documents_table_headers_in_a_thead(pdf):
    _, data = pdf
    reader = PdfReader(io.BytesIO(data))
    elements = _structure(reader.trailer["/Root"]["/StructTreeRoot"], [])
    types = [kind for kind, _, _ in elements]
    assert types[0] == "/Document"
    assert types.count("/H1") == 1 and types.count("/H2") >= 4
    assert types.index("/H1") < types.index("/H2")
    tables = [children for kind, children, _ in elements if kind == "/Table"]
    assert tables, types
    # Every key/value table: one TBody of rows, each a TH (the label) then a TD.
    # The documents table (the last one): its column headers in a THead, then a TBody.
    assert tables[-1] == ["/THead", "/TBody"], tables
    assert all(children == ["/TBody"] for children in tables[:-1]), tables
    theads = [children for kind, children, _ in elements if kind == "/THead"]
    assert theads == [["/TR"]]
    header_rows = [children for kind, children, _ in elements if kind == "/TR" and children and set(children) == {"/TH"}]
    assert ["/TH", "/TH", "/TH"] in header_rows
    # Data cells point at their headers.
    cells = [node for kind, _, node in elements if kind == "/TD"]
    assert cells and all("/Headers" in cell["/A"] for cell in cells)


def test_the_text_is_still_extractable_in_reading_order(pdf):
    receipt, data = pdf
    text = pdf_text(data)
    assert re.search(r"Pièce Fichier Taille .*devis-transport\.pdf", text), text
    assert text.index("Accusé de réception et récapitulatif") < text.index("La demande") < text.index("Documents transmis")
