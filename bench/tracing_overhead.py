"Cost of a span when tracing is off and when it is on (in-memory exporter), per call, against an empty `with`."
import time
from contextlib import nullcontext
from codelupe.tracing import configure_tracing, span, record_span

def per_call(fn, n=200_000):
    t = time.perf_counter()
    for _ in range(n): fn()
    return (time.perf_counter() - t) / n * 1e9

def empty():
    with nullcontext(): pass
def one_span():
    with span('layer quality', files=64, bytes=123_456): pass
def one_record(): record_span('layer quality', 0.01, files=64)

configure_tracing('off')
print(f'empty with nullcontext()     {per_call(empty):8.0f} ns')
print(f'span(), tracing off          {per_call(one_span):8.0f} ns')
print(f'record_span(), tracing off   {per_call(one_record):8.0f} ns')
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
configure_tracing(exporter=InMemorySpanExporter())
print(f'span(), in-memory exporter   {per_call(one_span, 20_000):8.0f} ns')
print(f'record_span(), in-memory     {per_call(one_record, 20_000):8.0f} ns')
configure_tracing('off')
