"""T9: hostile uploads refused with a clear message, legitimate ones accepted."""
import pytest

from workorders.exceptions import WorkOrderError
from workorders.tests import samples
from workorders.uploads import check_files, clean_name

LEGITIMATE = [
    ("许可.pdf", samples.pdf(), "application/pdf"),
    ("photo.jpg", samples.jpeg(), "image/jpeg"),
    ("site.png", samples.png(), "image/png"),
    ("方案.docx", samples.docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("预算.xlsx", samples.xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("证照.ofd", samples.ofd(), "application/ofd"),
]

HOSTILE = [
    ("setup.pdf", samples.exe(), "file_type"),  # an .exe renamed .pdf
    ("x.png", samples.png_then_html(), "file_type"),  # PNG signature followed by HTML
    ("logo.svg", samples.svg_with_script(), "file_type"),
    ("bomb.docx", samples.zip_bomb(), "file_bomb"),
    ("huge.png", samples.png(20000, 20000), "file_bomb"),  # 20k × 20k pixels
    ("huge.jpg", samples.jpeg(20000, 20000), "file_bomb"),
    ("page.html", b"<html><body>hi</body></html>", "file_type"),
    ("empty.pdf", b"", "file_type"),
]


@pytest.mark.parametrize(("name", "content", "content_type"), LEGITIMATE)
def test_legitimate_files_are_accepted(name, content, content_type):
    [checked] = check_files([(name, content)])
    assert checked.content_type == content_type
    assert checked.name == name
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(("name", "content", "code"), HOSTILE)
def test_hostile_files_are_refused_with_the_file_named(name, content, code):
    with pytest.raises(WorkOrderError) as raised:
        check_files([(name, content)])
    assert raised.value.code == code
    assert raised.value.field == "attachments"
    assert name in str(raised.value.message)


def test_size_caps_per_file_and_per_request(settings):
    settings.CENTER_UPLOAD_MAX_FILE_BYTES = 1000
    settings.CENTER_UPLOAD_MAX_REQUEST_BYTES = 1500
    with pytest.raises(WorkOrderError) as raised:
        check_files([("big.pdf", samples.pdf() + b"0" * 1000)])
    assert raised.value.code == "file_too_big"
    with pytest.raises(WorkOrderError) as raised:
        check_files([("a.pdf", samples.pdf() + b"0" * 900), ("b.pdf", samples.pdf() + b"0" * 900)])
    assert raised.value.code == "request_too_big"


def test_too_many_files(settings):
    settings.CENTER_UPLOAD_MAX_FILES = 2
    with pytest.raises(WorkOrderError) as raised:
        check_files([("a.pdf", samples.pdf())] * 3)
    assert raised.value.code == "too_many_files"


@pytest.mark.parametrize(
    ("given", "shown"),
    [("../../etc/passwd", "passwd"), ("..\\..\\boot.ini", "boot.ini"), ("a/b/报告.pdf", "报告.pdf"), ("\x00evil\n.pdf", "evil.pdf"), ("..", "file")],
)
def test_names_lose_their_folders(given, shown):
    assert clean_name(given) == shown
