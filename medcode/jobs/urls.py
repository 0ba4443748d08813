from django.urls import path

from medcode.jobs import employer_views, feeds, moderation_views, views

app_name = "jobs"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("<int:pk>/", views.posting_detail, name="detail_short"),
    # Before the slug pattern; Posting.slug never takes these words (models.RESERVED_SLUGS).
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/save/", views.save, name="save"),
    path("<int:pk>/unsave/", views.unsave, name="unsave"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/<slug:slug>/", views.posting_detail, name="detail"),
    path("saved/", views.saved_page, name="saved"),
    path("alerts/new/", views.create_alert, name="alert_new"),
    path("alerts/<int:pk>/delete/", views.delete_alert, name="alert_delete"),
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("feed/rss/", feeds.SearchFeed(), name="feed_rss"),
    path("feed/atom/", feeds.AtomSearchFeed(), name="feed_atom"),
    path("post/", employer_views.post_new, name="post"),
    path("post/<int:pk>/edit/", employer_views.post_edit, name="edit"),
    path("post/<int:pk>/close/", employer_views.post_close, name="close"),
    path("employer/", employer_views.dashboard, name="employer"),
    path("employer/join/", employer_views.join, name="employer_join"),
    path("moderation/", moderation_views.queue, name="moderation"),
    path("moderation/<int:pk>/", moderation_views.decide, name="decide"),
]
