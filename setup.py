# Builds ftkit from settings.ini, fastai's classic nbdev pattern (without the old template's pkg_resources, which
# current setuptools no longer ships). Edit settings.ini, not this file. pyproject.toml's [project] table holds only
# what nbdev 3 reads, written from settings.ini by `python .ci/pyproject.py`; everything else is declared `dynamic`
# there and comes from here.
import re, shlex
from configparser import ConfigParser
from pathlib import Path
import setuptools
from setuptools.command.egg_info import egg_info

here = Path(__file__).parent
config = ConfigParser(delimiters=['='])
config.read(here/'settings.ini', encoding='utf-8')
cfg = config['DEFAULT']
expected = 'lib_name lib_path description license status audience language min_python git_url requirements'.split()
missing = [key for key in expected if key not in cfg]
if missing: raise SystemExit(f"settings.ini lacks {', '.join(missing)}")

statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
py_versions = ['3.10', '3.11', '3.12']          # the ones CI tests (.github/workflows/test.yaml)
version = re.search(r"^__version__\s*=\s*['\"]([^'\"]+)", (here/cfg['lib_path']/'__init__.py').read_text(), re.M).group(1)
lines = lambda key: shlex.split(cfg.get(key, ''))        # a space- or line-separated list, as nbdev's settings.ini has

class SourcesWithSettings(egg_info):
    "The sdist's file list with settings.ini, which this file reads when a wheel is built from the sdist (no MANIFEST.in)."
    def find_sources(self):
        super().find_sources()
        self.filelist.append('settings.ini')

setuptools.setup(
    cmdclass={'egg_info': SourcesWithSettings},
    version=version,
    license=cfg['license'],
    license_files=['LICENSE'],
    classifiers=['Development Status :: ' + statuses[int(cfg['status']) - 1],
                 'Intended Audience :: ' + cfg['audience'].title(),
                 'Natural Language :: ' + cfg['language'].title()]
                + ['Programming Language :: Python :: ' + v for v in py_versions[py_versions.index(cfg['min_python']):]],
    long_description=(here/'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    packages=setuptools.find_packages(include=[cfg['lib_path'], cfg['lib_path'] + '.*']),
    package_data={cfg['lib_path']: lines('package_data')},
    install_requires=lines('requirements'),
    extras_require={'dev': lines('dev_requirements')},
    entry_points={'console_scripts': lines('console_scripts'),
                  'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
    include_package_data=False,          # package_data above is the whole list (the weights and reference curves)
    zip_safe=False,
)
