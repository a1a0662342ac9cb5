"""The dashboard's town, sector and overdue charts (gateway/pages/console/progress.py): an empty
one says 暂无数据, not pygal's English "No data"; a long town name has room for every character
left of the plot (pygal counts a Chinese character as wide as a Latin one, and the name ran off
the image's left edge at 1280 px)."""
import re

from gateway.pages.console.progress import chart_svg

LONG = "中共县经济技术开发区管理委员会街道工作委员会"
FONT_SIZE = 14  # the charts' label size (progress.STYLE)


def test_an_empty_chart_says_so_in_chinese():
    for kind in ("town", "sector", "overdue"):
        svg = chart_svg(kind, [], 2026).decode()
        assert "暂无数据" in svg and "No data" not in svg


def test_a_long_town_name_fits_left_of_the_plot():
    svg = chart_svg("town", [{"name": LONG, "rate": 0.5, "overdue": 3}], 2026).decode()
    left = float(re.search(r'transform="translate\(([\d.]+),', svg).group(1))
    (label,) = re.findall(rf'<text x="(-?[\d.]+)"[^>]*>{LONG}</text>', svg)
    assert left + float(label) - len(LONG) * FONT_SIZE >= 0  # the text, right-aligned, starts inside the image
