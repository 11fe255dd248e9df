from wagtail.snippets.models import register_snippet

from cms.models import Mission, Organisation, Person, Place, Topic

for model in (Topic, Organisation, Person, Place, Mission):
    register_snippet(model)
