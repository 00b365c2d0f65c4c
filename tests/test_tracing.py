"""Tracing from outside a notebook: the import cost when off (fresh interpreters), console mode end to end in a subprocess,
and OTLP/HTTP export to a collector stub on 127.0.0.1 (the real exporter, protobuf decoded). No other network."""
import json, os, subprocess, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import pytest

pytest.importorskip('opentelemetry.sdk')
from codelupe import tracing
from codelupe.tracing import configure_tracing, span, record_span, tracing_enabled

def python(code, **env):
    "Run `code` in a fresh interpreter with tracing variables cleared and `env` set."
    e = {k: v for k, v in os.environ.items() if not k.startswith(('CODELUPE_TRACING', 'OTEL_'))}
    e.update(env)
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=e, timeout=120)

HEAVY = ('opentelemetry', 'boto3', 'botocore', 'hvac', 'moto')
LOADED = f"import sys; print(sorted({{m.split('.')[0] for m in sys.modules if m.startswith({HEAVY!r})}}))"

def test_off_imports_no_opentelemetry():
    "With tracing off, importing codelupe and using spans loads neither opentelemetry nor the credential clients."
    code = ("import codelupe, codelupe.tracing, codelupe.credentials\n"
            "from codelupe.tracing import span, record_span, tracing_enabled\n"
            "with span('curate', files=1) as s: s.set(accepted=1)\n"
            "record_span('layer quality', 0.1)\n"
            "assert not tracing_enabled()\n" + LOADED)
    for env in ({}, {'CODELUPE_TRACING': 'off'}):
        r = python(code, **env)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == '[]', r.stdout
    r = python("import codelupe.tracing; import sys; print('opentelemetry' in sys.modules)", CODELUPE_TRACING='console')
    assert r.stdout.strip() == 'False'          # importing alone reads nothing; the first span does

def test_import_time_when_off():
    "`python -X importtime` lists no opentelemetry module for `import codelupe.tracing`."
    r = subprocess.run([sys.executable, '-X', 'importtime', '-c', 'import codelupe.tracing'], capture_output=True, text=True,
                       env={k: v for k, v in os.environ.items() if k != 'CODELUPE_TRACING'}, timeout=120)
    assert r.returncode == 0 and 'codelupe.tracing' in r.stderr
    assert 'opentelemetry' not in r.stderr

def test_console_mode_prints_spans_on_stderr():
    code = ("from codelupe.tracing import span, record_span\n"
            "with span('curate', sources=1) as run:\n"
            "    record_span('layer quality', 0.5, files_in=3)\n"
            "    run.set(accepted=2)\n"
            "print('stdout stays clean')\n")
    r = python(code, CODELUPE_TRACING='console', OTEL_SERVICE_NAME='codelupe-test')
    assert r.returncode == 0, r.stderr
    assert r.stdout == 'stdout stays clean\n'
    spans = [json.loads(s) for s in r.stderr.replace('}\n{', '}\x00{').split('\x00')]
    by_name = {s['name']: s for s in spans}
    assert set(by_name) == {'curate', 'layer quality'}
    assert by_name['curate']['attributes'] == {'codelupe.sources': 1, 'codelupe.accepted': 2}
    assert by_name['layer quality']['parent_id'] == by_name['curate']['context']['span_id']
    assert by_name['curate']['resource']['attributes']['service.name'] == 'codelupe-test'

def test_bad_mode_is_one_line():
    r = python("from codelupe.tracing import span\nwith span('x'): pass", CODELUPE_TRACING='jaeger')
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == ("codelupe.core.CodelupeError: CODELUPE_TRACING: 'jaeger' is not a tracing "
                                                 "mode: use off, console or otlp")

def test_missing_grpc_exporter_names_the_package():
    code = ("import sys; sys.modules['opentelemetry.exporter.otlp.proto.grpc.trace_exporter'] = None\n"
            "from codelupe.tracing import configure_tracing\n"
            "try: configure_tracing('otlp')\n"
            "except Exception as e: print(e)")
    r = python(code, OTEL_EXPORTER_OTLP_PROTOCOL='grpc')
    assert r.stdout.strip() == ('CODELUPE_TRACING=otlp: needs opentelemetry-exporter-otlp-proto-grpc: '
                                'pip install opentelemetry-exporter-otlp-proto-grpc')

class Collector:
    "An OTLP/HTTP trace receiver on loopback: keeps each decoded ExportTraceServiceRequest."
    def __init__(self):
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest, ExportTraceServiceResponse
        self.requests, self.paths = [], []
        collector = self
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def do_POST(self):
                body = self.rfile.read(int(self.headers['Content-Length']))
                collector.paths.append((self.path, self.headers.get('Content-Type')))
                collector.requests.append(ExportTraceServiceRequest.FromString(body))
                out = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200); self.send_header('Content-Type', 'application/x-protobuf')
                self.send_header('Content-Length', str(len(out))); self.end_headers(); self.wfile.write(out)
        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.server.server_address[1]}'
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
    def spans(self):
        return [s for r in self.requests for rs in r.resource_spans for ss in rs.scope_spans for s in ss.spans]
    def close(self): self.server.shutdown(); self.server.server_close()

@pytest.fixture
def restore_tracing():
    yield
    configure_tracing('off')

def test_otlp_http_export_to_loopback_collector(monkeypatch, restore_tracing):
    pytest.importorskip('opentelemetry.exporter.otlp.proto.http')
    collector = Collector()
    try:
        for k in list(os.environ):
            if k.startswith('OTEL_'): monkeypatch.delenv(k)
        monkeypatch.setenv('OTEL_EXPORTER_OTLP_ENDPOINT', collector.url)
        monkeypatch.setenv('NO_PROXY', '127.0.0.1')
        assert configure_tracing('otlp')
        with span('curate', sources=2) as run:
            with span('queue job', job_id=7): pass
            run.set(accepted=5)
        configure_tracing('off')                 # shuts the provider down, which flushes the batch
        assert collector.paths[0] == ('/v1/traces', 'application/x-protobuf')
        spans = {s.name: s for s in collector.spans()}
        assert set(spans) == {'curate', 'queue job'}
        attrs = {a.key: (a.value.int_value or a.value.string_value) for a in spans['curate'].attributes}
        assert attrs == {'codelupe.sources': 2, 'codelupe.accepted': 5}
        assert spans['queue job'].parent_span_id == spans['curate'].span_id
    finally: collector.close()

def test_reconfiguring_turns_off(restore_tracing):
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    memory = InMemorySpanExporter()
    configure_tracing(exporter=memory)
    assert tracing_enabled()
    with span('a'): pass
    configure_tracing('off')
    with span('b'): pass
    record_span('c', 1.0)
    assert [s.name for s in memory.get_finished_spans()] == ['a']
    assert span('d') is tracing.NO_SPAN
