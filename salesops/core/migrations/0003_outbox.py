"""The outbox of outgoing messages (salesops/core/outbox.py), visible to the admin group.

Notification.emailed_at goes: whether a notification's e-mail left is now its outbox row's status and sent time
(dedupe key `notification:<id>`), one truth instead of two."""

import django.utils.timezone
from django.db import migrations, models


def grant_admin_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("core")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin = Group.objects.filter(name="admin").first()
    if admin:
        admin.permissions.add(*Permission.objects.filter(content_type__app_label="core", content_type__model="outboxmessage"))


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_roles_departments_thresholds'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='notification',
            name='emailed_at',
        ),
        migrations.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('email', '邮件')], default='email', max_length=20, verbose_name='渠道')),
                ('recipient', models.CharField(max_length=500, verbose_name='收件人/目标')),
                ('subject', models.CharField(blank=True, max_length=255, verbose_name='主题')),
                ('body', models.TextField(blank=True, verbose_name='正文')),
                ('payload', models.JSONField(blank=True, default=dict, verbose_name='数据')),
                ('dedupe_key', models.CharField(blank=True, max_length=200, null=True, unique=True, verbose_name='去重键')),
                ('status', models.CharField(choices=[('pending', '待发送'), ('sent', '已发送'), ('dead', '发送失败')], default='pending', max_length=20, verbose_name='状态')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='尝试次数')),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='下次尝试时间')),
                ('last_error', models.TextField(blank=True, verbose_name='最近错误')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='创建时间')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='发送时间')),
            ],
            options={
                'verbose_name': '外发消息',
                'verbose_name_plural': '外发消息',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at', 'id'], name='outbox_due_idx')],
            },
        ),
        migrations.RunPython(grant_admin_group, migrations.RunPython.noop),
    ]
