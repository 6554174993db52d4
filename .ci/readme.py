"""Render README.md from nbs/index.ipynb without Quarto, check it is current, or print one of its two commands.

    python .ci/readme.py                 # write README.md
    python .ci/readme.py --check         # exit 1 if README.md is not what nbs/index.ipynb renders to
    python .ci/readme.py --command test  # print the README's test command (or: demo)
"""
import argparse, base64, json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
notebook, readme, images = root/'nbs'/'index.ipynb', root/'README.md', Path('nbs')/'images'   # images: relative to root

def directives(source):
    "The `#| name: value` directives at the top of a code cell, and the rest of its source."
    lines = source.splitlines()
    n = next((i for i, l in enumerate(lines) if not l.startswith('#|')), len(lines))
    found = dict((l[2:].split(':', 1) + [''])[:2] for l in lines[:n])
    return {k.strip(): v.strip() for k, v in found.items()}, '\n'.join(lines[n:]).strip()

def outputs(cell):
    "What a reader should see under a code cell: printed output, images (as PNG bytes), Markdown and plain-text results (not stderr)."
    for out in cell.get('outputs', []):
        data = out.get('data', {})
        if 'image/png' in data: yield base64.b64decode(''.join(data['image/png'])); continue
        if 'text/markdown' in data: yield ('markdown', ''.join(data['text/markdown']).strip()); continue   # e.g. a report
        if out['output_type'] == 'stream': text = out.get('text') if out.get('name') == 'stdout' else None
        else: text = data.get('text/plain')
        text = ''.join(text or []).rstrip()
        if text: yield text

def render(nb):
    "Markdown for `nb` and its images ({path: PNG bytes}): markdown cells as they are, code fenced, hidden cells left out."
    parts, pictures = ['<!-- Made from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file. -->'], {}
    for cell in nb['cells']:
        source = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown': parts.append(source.strip()); continue
        flags, code = directives(source)
        if 'hide' in flags or not code: continue
        parts.append(f'```python\n{code}\n```')
        if flags.get('output') == 'false': continue
        for out in outputs(cell):
            if isinstance(out, str): parts.append(f'```\n{out}\n```'); continue
            if isinstance(out, tuple): parts.append(out[1]); continue
            path = (images/f'readme-{len(pictures) + 1}.png').as_posix()
            pictures[path] = out; parts.append(f'![]({path})')
    return '\n\n'.join(parts) + '\n', pictures

def command(text, name):
    "The README's `demo` or `test` command: the shell block that runs `ftkit demo`, or the other one."
    blocks = [b.strip() for b in re.findall(r'```sh\n(.*?)```', text, re.S)]
    if len(blocks) != 2: sys.exit(f'README.md must show exactly two shell commands, found {len(blocks)}')
    demo = [b for b in blocks if 'ftkit demo' in b]
    if len(demo) != 1: sys.exit('exactly one of the README commands must run `ftkit demo`')
    return demo[0] if name == 'demo' else next(b for b in blocks if b is not demo[0])

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--check', action='store_true', help='exit 1 if README.md is out of date')
    parser.add_argument('--command', choices=['demo', 'test'], help="print one of the README's two commands")
    args = parser.parse_args()
    text, pictures = render(json.loads(notebook.read_text(encoding='utf-8')))
    if args.command: print(command(text, args.command))
    elif args.check:
        current = readme.read_text(encoding='utf-8') == text and all(
            (root/p).exists() and (root/p).read_bytes() == png for p, png in pictures.items())
        if not current: sys.exit('README.md or its images are out of date: run `python .ci/readme.py`')
        print('README.md is current')
    else:
        for p, png in pictures.items(): (root/p).parent.mkdir(parents=True, exist_ok=True); (root/p).write_bytes(png)
        readme.write_text(text, encoding='utf-8'); print(f'wrote {readme} and {len(pictures)} image(s)')
