"Packaging for ftkit: metadata from settings.ini, version from ftkit/__init__.py."
import re
from configparser import ConfigParser
from pathlib import Path
import setuptools

here = Path(__file__).parent
parser = ConfigParser(delimiters=['='])
parser.read(here/'settings.ini', encoding='utf-8')
cfg = parser['DEFAULT']
version = re.search(r'^__version__\s*=\s*[\'"]([^\'"]+)[\'"]', (here/cfg['lib_path']/'__init__.py').read_text(), re.M)[1]
licenses = {'apache2': ('Apache Software License 2.0', 'OSI Approved :: Apache Software License')}
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
lic = licenses[cfg['license']]

setuptools.setup(
    name=cfg['lib_name'], version=version, description=cfg['description'],
    long_description=(here/'README.md').read_text(encoding='utf-8'), long_description_content_type='text/markdown',
    author=cfg['author'], author_email=cfg['author_email'], license=lic[0], url=cfg['git_url'],
    keywords=cfg['keywords'].split(), python_requires=f">={cfg['min_python']}",
    classifiers=[f"Development Status :: {statuses[int(cfg['status'])-1]}", 'Intended Audience :: Developers',
                 f'License :: {lic[1]}', 'Natural Language :: English', 'Programming Language :: Python :: 3'],
    packages=setuptools.find_packages(include=[cfg['lib_path'], f"{cfg['lib_path']}.*"]),
    package_data={cfg['lib_path']: ['weights/*.pth']}, include_package_data=True, zip_safe=False,
    install_requires=cfg['requirements'].split(), extras_require={'dev': cfg['dev_requirements'].split()},
    entry_points={'console_scripts': cfg['console_scripts'].split(),
                  'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
)
