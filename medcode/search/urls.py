from django.urls import path

from medcode.search import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("suggest", views.suggest_fragment, name="suggest"),
    path("note", views.note_page, name="note"),
    path("browse/", views.browse_index, name="browse"),
    path("browse/icd10cm/<str:chapter>/", views.browse_chapter, name="browse-chapter"),
    path("browse/icd10cm/section/<str:code_range>/", views.browse_section, name="browse-section"),
    path("browse/hcpcs/<str:letter>/", views.browse_hcpcs, name="browse-hcpcs"),
    path("browse/cpt/<slug:key>/", views.browse_cpt, name="browse-cpt"),
]
