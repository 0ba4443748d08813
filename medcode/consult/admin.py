from django.contrib import admin

from medcode.consult.models import Inquiry


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("received_at", "sender", "subject", "kind", "state", "channel", "attempts")
    list_filter = ("state", "kind", "channel", "needs_review")
    search_fields = ("sender", "subject", "message_id", "outbound_message_id")
    readonly_fields = ("message_id", "outbound_message_id", "received_at", "sent_at", "draft")
    raw_id_fields = ("user", "reviewed_by", "thread_root")
