"Render README.md from nbs/index.ipynb (nbdev_readme needs Quarto, which the package registry cannot install offline)."
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
nb = json.loads((root/'nbs'/'index.ipynb').read_text())
parts = []
for cell in nb['cells']:
    src = ''.join(cell['source']).strip()
    if not src or src.startswith('#| hide'): continue
    if cell['cell_type'] == 'markdown': parts.append(src.replace('```{mermaid}', '```mermaid'))
    else:
        parts.append('```python\n' + '\n'.join(l for l in src.splitlines() if not l.startswith('#|')) + '\n```')
        for out in cell.get('outputs', []):
            text = out.get('text') or out.get('data', {}).get('text/plain')
            if text: parts.append('```\n' + ''.join(text).rstrip() + '\n```')
readme = '<!-- Rendered from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file. -->\n\n' + '\n\n'.join(parts) + '\n'
target = root/'README.md'
if '--check' in sys.argv:
    if target.read_text() != readme: sys.exit('README.md is out of date: run python .ci/readme.py')
else: target.write_text(readme)
