"""The gallery page: every article figure listed, each picture shown, missing ones reported."""

from __future__ import annotations

import re

from demos import gallery

# Every figure issue 16 asks the gallery for, written here independently of demos/gallery.py.
REQUIRED = {
    "two_layer_mse_fig5.svg",
    "two_layer_mse_fig6.svg",
    "two_layer_mse_fig7.svg",
    "two_layer_mse_fig8.svg",
    "four_layer_article_names.svg",
    "four_layer_graph.svg",
    "two_layer_bce_graph.svg",
    "perceptron_graph.svg",
    "circles_data.png",
    "circles_activations.png",
    "circles_history.png",
    "circles_descent.gif",
    "circles_figure9.svg",
    "circles_boundary.gif",
}


def fill(out, names):
    for name in names:
        (out / name).write_bytes(b"x")


def test_the_gallery_lists_every_figure(tmp_path):
    assert set(gallery.files()) >= REQUIRED
    fill(tmp_path, gallery.files())
    path, missing = gallery.write_gallery(tmp_path)
    assert path == tmp_path / "index.html" and missing == []
    text = path.read_text(encoding="utf-8")
    shown = set(re.findall(r'<img src="([^"]+)"', text))
    assert shown == set(gallery.files())
    for caption in ("Figure 5", "W[2] gradient", "Figure 6", "Figure 9", "Figure 1", "Figure 7"):
        assert caption in text
    assert "missing" not in text.split("<body>")[1].replace('class="missing"', "")


def test_missing_pictures_are_reported_and_fail(tmp_path, capsys):
    fill(tmp_path, [n for n in gallery.files() if n != "circles_figure9.svg"])
    _, missing = gallery.write_gallery(tmp_path)
    assert missing == ["circles_figure9.svg"]
    assert gallery.main(["--out", str(tmp_path)]) == 1
    assert "missing: circles_figure9.svg" in capsys.readouterr().out


def test_explorer_pages_are_linked(tmp_path):
    fill(tmp_path, gallery.files())
    (tmp_path / "circles_training.html").write_text("<html></html>", encoding="utf-8")
    text = gallery.page(tmp_path)[0]
    assert '<a href="circles_training.html">' in text
    assert gallery.main(["--out", str(tmp_path)]) == 0
    assert not list(tmp_path.glob(".index.*"))  # the temporary file was renamed into place
