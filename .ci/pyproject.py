"""Write pyproject.toml's [project] table from settings.ini: the fields nbdev 3 reads (name, description, keywords,
requires-python, authors, urls), every other field `dynamic` (setup.py reads it from settings.ini).
`python .ci/pyproject.py` rewrites the table; `--check` (run by .ci/run) fails if it differs from settings.ini."""
import re, sys
from configparser import ConfigParser
from pathlib import Path

root = Path(__file__).resolve().parent.parent
BEGIN, END = '# [project]: written from settings.ini by `python .ci/pyproject.py`; edit settings.ini, not this table', '# end of [project]'
DYNAMIC = ['version', 'readme', 'license', 'classifiers', 'dependencies', 'optional-dependencies', 'scripts', 'entry-points']

def project_table(cfg)->str:
    "The [project] and [project.urls] tables nbdev 3 reads, as TOML text."
    quoted = lambda values: '[' + ', '.join(f'"{v}"' for v in values) + ']'
    return '\n'.join([BEGIN, '[project]', f'name = "{cfg["lib_name"]}"', f'description = "{cfg["description"]}"',
                      f'keywords = {quoted(cfg["keywords"].split())}', f'requires-python = ">={cfg["min_python"]}"',
                      f'authors = [{{name = "{cfg["author"]}", email = "{cfg["author_email"]}"}}]',
                      f'dynamic = {quoted(DYNAMIC)}', '', '[project.urls]', f'Repository = "{cfg["git_url"]}"',
                      f'Documentation = "{cfg["doc_host"]}{cfg["doc_baseurl"]}"', END])

def main(check:bool=False)->int:
    config = ConfigParser(delimiters=['='])
    config.read(root/'settings.ini', encoding='utf-8')
    path = root/'pyproject.toml'
    text = path.read_text(encoding='utf-8')
    found = re.search(re.escape(BEGIN) + r'.*?' + re.escape(END), text, re.S)
    if found is None: sys.exit(f'{path} has no [project] table between the lines "{BEGIN}" and "{END}"')
    wanted = text[:found.start()] + project_table(config['DEFAULT']) + text[found.end():]
    if wanted == text: return 0
    if check:
        print("pyproject.toml's [project] table is not what settings.ini says: run `python .ci/pyproject.py` and commit")
        return 1
    path.write_text(wanted, encoding='utf-8')
    print(f'wrote {path}')
    return 0

if __name__ == '__main__': sys.exit(main('--check' in sys.argv[1:]))
