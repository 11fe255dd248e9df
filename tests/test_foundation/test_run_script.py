"""scripts/run.py (`make run`) refuses a port that is already taken, before touching anything."""

import socket

from .processes import clean_env, run


def test_make_run_on_a_port_in_use_says_so_and_stops(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(["scripts/run.py"], clean_env(PORT=str(port), VAR_DIR=str(tmp_path)))
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"make run PORT={port + 1}" in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing migrated, nothing started


def test_make_run_with_a_port_that_is_not_a_number_says_so(tmp_path):
    result = run(["scripts/run.py"], clean_env(PORT="eighty", VAR_DIR=str(tmp_path)))
    assert result.returncode == 2
    assert "PORT must be a number" in result.stderr
