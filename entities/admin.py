from django.contrib import admin

from entities.models import Contact, MarketEntity


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(MarketEntity)
class MarketEntityAdmin(admin.ModelAdmin):
    list_display = ("name", "park", "kind", "tier", "credit_code", "industry", "liaison")
    list_filter = ("park", "kind", "tier")
    search_fields = ("name", "credit_code")
    raw_id_fields = ("liaison", "backup_liaison", "credit_code_confirmed_by")
    inlines = [ContactInline]
