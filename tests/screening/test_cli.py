import hashlib
import http.server
import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli.main import cli, main
from auditor.screening import load_lists

CSL = (
    "_id,source,entity_number,type,programs,name,title,addresses,alt_names\n"
    '"e1","Entity List (EL) - Bureau of Industry and Security","","","","Huawei Technologies Co., Ltd.","","Shenzhen, CN","Huawei"\n'
    '"s1","Specially Designated Nationals (SDN) - Treasury Department","1","Entity","CUBA","CIMEX, S.A.","","Panama","CIMEX"\n'
)


@pytest.fixture()
def files(tmp_path):
    lst = tmp_path / "csl.csv"
    lst.write_text(CSL)
    names = tmp_path / "names.csv"
    names.write_text(
        "id,name,country\nt1,HUAWEI TECHNOLOGIES COMPANY LIMITED,CN\nt2,Acme Cloud LLC,\nt3,Cimex SA,PA\n"
    )
    return lst, names, tmp_path


def test_screen_writes_one_line_per_name(files):
    lst, names, tmp = files
    out = tmp / "out.jsonl"
    result = CliRunner().invoke(
        cli, ["screen", "--list", str(lst), "--names", str(names), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["id"] for x in lines] == ["t1", "t2", "t3"]
    assert (
        lines[0]["matches"][0]["entry_id"] == "e1" and lines[0]["matches"][0]["source_code"] == "EL"
    )
    explanation = lines[0]["matches"][0]["explanation"]
    assert explanation["algorithm"] == "name-v2" and explanation["features"]["tokens"] > 0.9
    assert lines[1]["matches"] == []
    meta = json.loads(Path(str(out) + ".meta.json").read_text())
    assert meta["algorithm"] == "name-v2" and meta["threshold"] == 0.86
    assert meta["lists"][0]["sha256"] == hashlib.sha256(lst.read_bytes()).hexdigest()


def test_screen_name_v1_stays_selectable(files):
    lst, names, tmp = files
    out = tmp / "v1.jsonl"
    args = [
        "screen",
        "--list",
        str(lst),
        "--names",
        str(names),
        "--out",
        str(out),
        "--algorithm",
        "name-v1",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    first = json.loads(out.read_text().splitlines()[0])["matches"][0]["explanation"]
    assert first["algorithm"] == "name-v1" and first["features"]["core_sort"] > 0.9
    assert json.loads(Path(str(out) + ".meta.json").read_text())["algorithm"] == "name-v1"


def test_screen_unknown_algorithm_is_a_usage_error(files):
    lst, names, tmp = files
    args = [
        "screen",
        "--list",
        str(lst),
        "--names",
        str(names),
        "--out",
        str(tmp / "o.jsonl"),
        "--algorithm",
        "name-v9",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "name-v9" in result.output


def test_screen_sources_filter_and_jsonl(files):
    lst, _, tmp = files
    names = tmp / "names.jsonl"
    names.write_text('{"id": 1, "name": "Huawei Tech"}\n{"id": 2, "name": "CIMEX S.A."}\n')
    out = tmp / "o.jsonl"
    args = [
        "screen",
        "--list",
        str(lst),
        "--names",
        str(names),
        "--out",
        str(out),
        "--sources",
        "SDN",
    ]
    assert CliRunner().invoke(cli, args).exit_code == 0
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert lines[0]["matches"] == [] and lines[1]["matches"][0]["source_code"] == "SDN"


def test_bad_names_file_exit_2_with_location(files, capsys):
    lst, _, tmp = files
    bad = tmp / "bad.csv"
    bad.write_text("id,title\n1,x\n")
    assert (
        main(["screen", "--list", str(lst), "--names", str(bad), "--out", str(tmp / "o.jsonl")])
        == 2
    )
    err = capsys.readouterr().err
    assert "bad.csv:1" in err and "column 'name'" in err


def test_duplicate_ids_located(files, capsys):
    lst, _, tmp = files
    bad = tmp / "dup.csv"
    bad.write_text("id,name\n1,a\n2,b\n1,c\n")
    assert (
        main(["screen", "--list", str(lst), "--names", str(bad), "--out", str(tmp / "o.jsonl")])
        == 2
    )
    assert "dup.csv: row 4: column 'id'" in capsys.readouterr().err


def test_bad_list_file_exit_2_with_row(files, capsys):
    _, names, tmp = files
    bad = tmp / "list.csv"
    bad.write_text('source,name\n"Entity List (EL) - BIS",""\n')
    assert (
        main(["screen", "--list", str(bad), "--names", str(names), "--out", str(tmp / "o.jsonl")])
        == 2
    )
    assert "list.csv: row 2: column 'name'" in capsys.readouterr().err


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802
        body = self.routes.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Last-Modified", "Tue, 04 Mar 2025 10:00:00 GMT")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    _Handler.routes = {
        "/consolidated.csv": CSL.encode(),
        "/consolidated.json": json.dumps(
            {"results": [{"source": "Entity List (EL) - BIS", "name": "X Co"}]}
        ).encode(),
        "/broken.csv": b"<html>Service unavailable</html>",
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_lists_update_records_date_and_checksum(server, tmp_path):
    out = tmp_path / "csl.csv"
    result = CliRunner().invoke(
        cli, ["lists", "update", "--url", f"{server}/consolidated.csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    prov = load_lists([out]).provenance[0]
    assert (
        prov["list_date"] == "2025-03-04"
        and prov["sha256"] == hashlib.sha256(CSL.encode()).hexdigest()
    )
    assert prov["url"].endswith("/consolidated.csv")
    js = tmp_path / "csl.json"
    assert (
        CliRunner()
        .invoke(cli, ["lists", "update", "--url", f"{server}/consolidated.json", "--out", str(js)])
        .exit_code
        == 0
    )
    assert load_lists([js]).entries["source_code"].to_list() == ["EL"]


def test_lists_update_refuses_unparsable_and_keeps_old(server, tmp_path, capsys):
    out = tmp_path / "csl.csv"
    out.write_text(CSL)
    assert main(["lists", "update", "--url", f"{server}/broken.csv", "--out", str(out)]) == 2
    assert "download refused" in capsys.readouterr().err
    assert out.read_text() == CSL
    assert main(["lists", "update", "--url", f"{server}/missing.csv", "--out", str(out)]) == 2


def test_lists_show(files):
    lst, _, _ = files
    result = CliRunner().invoke(cli, ["lists", "show", str(lst)])
    assert result.exit_code == 0 and "source=EL entries=1" in result.output
