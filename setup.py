"Packaging for codelupe, driven by `settings.ini` as in the nbdev template."
from configparser import ConfigParser
import os, setuptools, shlex

config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

expected = 'version description keywords author author_email lib_name user branch license status min_python audience language'.split()
for o in expected: assert o in cfg, f"missing expected setting: {o}"
setup_cfg = {o: cfg[o] for o in 'version description keywords author author_email'.split()}

licenses = {'apache2': ('Apache Software License 2.0', 'OSI Approved :: Apache Software License')}
statuses = ['0 - Pre-Planning', '1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
py_versions = '3.10 3.11 3.12 3.13'.split()

lic = licenses.get(cfg['license'].lower(), (cfg['license'], None))
min_python = cfg['min_python']
requirements = shlex.split(cfg.get('requirements', ''))
if cfg.get('pip_requirements'): requirements += shlex.split(cfg.get('pip_requirements', ''))
# Every `<name>_requirements` key becomes the extra `<name>`: dev, train, eval, scale ...
extras = {k[:-len('_requirements')]: shlex.split(v) for k, v in cfg.items()
          if k.endswith('_requirements') and k not in ('requirements', 'pip_requirements', 'conda_requirements')}
dev = extras.get('dev', [])
# `dev` holds everything the tests need, so it takes in every other extra except `docs` (Quarto is large) and `liger`
# (Triton kernels: they run on CUDA GPUs only, and Triton is a large download on a CPU machine).
extras['dev'] = sorted(set(dev + [r for k, v in extras.items() if k not in ('dev', 'docs', 'liger') for r in v]))
# The demo corpus that `codelupe curate` reads by default: a regular install puts it under `<prefix>/share/codelupe/demo`
# (`codelupe.core.demo_data_paths`); an editable install reads `data/demo` of the checkout.
demo_files = [(os.path.join('share', 'codelupe', os.path.relpath(root, 'data')), [os.path.join(root, f) for f in sorted(files)])
              for root, _, files in sorted(os.walk(os.path.join('data', 'demo'))) if files]
project_urls = {}
if cfg.get('doc_host'): project_urls["Documentation"] = cfg['doc_host'] + cfg.get('doc_baseurl', '')

setuptools.setup(
    name=cfg['lib_name'],
    license=lic[0],
    classifiers=['Development Status :: ' + statuses[int(cfg['status'])],
                 'Intended Audience :: ' + cfg['audience'].title(),
                 'Natural Language :: ' + cfg['language'].title()] +
                ['Programming Language :: Python :: ' + o for o in py_versions[py_versions.index(min_python):]] +
                (['License :: ' + lic[1]] if lic[1] else []),
    url=cfg['git_url'],
    packages=setuptools.find_packages(include=['codelupe', 'codelupe.*']),
    include_package_data=True,
    package_data={'codelupe': ['data/*']},
    data_files=demo_files,
    install_requires=requirements,
    extras_require=extras,
    python_requires='>=' + cfg['min_python'],
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    zip_safe=False,
    entry_points={'console_scripts': cfg.get('console_scripts', '').split(), 'nbdev': [f'{cfg.get("lib_path")}={cfg.get("lib_path")}._modidx:d']},
    project_urls=project_urls,
    **setup_cfg)
