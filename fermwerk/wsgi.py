import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fermwerk.settings")
application = get_wsgi_application()

# What start-up loaded lives as long as the worker: kept out of the garbage collector's full
# collections, which otherwise walk all of it (40-60 ms, measured) a few times in a worker's
# first minutes and showed as its slowest requests.
gc.collect()
gc.freeze()
