"""supervision's first tables: the checklist, inspections with records, findings, photos and
rectifications, commitments and comments, score runs and reports, the facts learnt from
events, the unit copy, the backfill's progress, and the messaging tables.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

from services.common import records
from services.common.records import UTCDateTime

revision = "0001"
down_revision = None


def upgrade() -> None:
    records.create_tables(op)
    op.create_table('backfill',
    sa.Column('producer', sa.String(length=32), nullable=False),
    sa.Column('last_id', sa.BigInteger(), nullable=False),
    sa.Column('done_at', UTCDateTime, nullable=True),
    sa.PrimaryKeyConstraint('producer', name=op.f('pk_backfill'))
    )
    op.create_table('checklists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklists')),
    sa.UniqueConstraint('year', 'version', name=op.f('uq_checklists_year'))
    )
    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('grade', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    op.create_index(op.f('ix_comments_unit_code'), 'comments', ['unit_code'], unique=False)
    op.create_table('commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitments'))
    )
    op.create_index(op.f('ix_commitments_unit_code'), 'commitments', ['unit_code'], unique=False)
    op.create_table('designation_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('designation_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('change', sa.String(length=16), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('occurred_at', UTCDateTime, nullable=False),
    sa.Column('received_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_designation_facts')),
    sa.UniqueConstraint('event_id', name=op.f('uq_designation_facts_event_id'))
    )
    op.create_index(op.f('ix_designation_facts_unit_code'), 'designation_facts', ['unit_code'], unique=False)
    op.create_table('feedback_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('rating', sa.String(length=32), nullable=True),
    sa.Column('occurred_at', UTCDateTime, nullable=False),
    sa.Column('received_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_facts')),
    sa.UniqueConstraint('event_id', name=op.f('uq_feedback_facts_event_id'))
    )
    op.create_index('ix_feedback_facts_day', 'feedback_facts', ['day', 'unit_code'], unique=False)
    op.create_index(op.f('ix_feedback_facts_feedback_id'), 'feedback_facts', ['feedback_id'], unique=False)
    op.create_table('item_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('occurred_at', UTCDateTime, nullable=False),
    sa.Column('received_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_facts')),
    sa.UniqueConstraint('event_id', name=op.f('uq_item_facts_event_id'))
    )
    op.create_index(op.f('ix_item_facts_day'), 'item_facts', ['day'], unique=False)
    op.create_table('obligation_facts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('entry_code', sa.String(length=32), nullable=False),
    sa.Column('matter', sa.String(length=320), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('occurred_at', UTCDateTime, nullable=False),
    sa.Column('received_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obligation_facts')),
    sa.UniqueConstraint('event_id', name=op.f('uq_obligation_facts_event_id'))
    )
    op.create_index('ix_obligation_facts_due', 'obligation_facts', ['due_on', 'unit_code'], unique=False)
    op.create_index(op.f('ix_obligation_facts_obligation_id'), 'obligation_facts', ['obligation_id'], unique=False)
    op.create_table('photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=40), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('media_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('added_by', sa.String(length=64), nullable=False),
    sa.Column('added_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photos'))
    )
    op.create_index(op.f('ix_photos_owner'), 'photos', ['owner'], unique=False)
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('as_of', UTCDateTime, nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=True),
    sa.Column('issued_at', UTCDateTime, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('kind', 'period', name=op.f('uq_reports_kind'))
    )
    op.create_table('score_runs',
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('as_of', UTCDateTime, nullable=False),
    sa.Column('totals', sa.JSON(), nullable=False),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint('period', name=op.f('pk_score_runs'))
    )
    op.create_table('unit_copies',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.String(length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=32), nullable=True),
    sa.Column('town_code', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('demonstration', sa.Boolean(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('first_seen_at', UTCDateTime, nullable=False),
    sa.Column('ended_at', UTCDateTime, nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_unit_copies'))
    )
    op.create_index(op.f('ix_unit_copies_parent_code'), 'unit_copies', ['parent_code'], unique=False)
    op.create_index(op.f('ix_unit_copies_sector'), 'unit_copies', ['sector'], unique=False)
    op.create_index(op.f('ix_unit_copies_town_code'), 'unit_copies', ['town_code'], unique=False)
    op.create_table('inspections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('window_opens', sa.Date(), nullable=False),
    sa.Column('window_closes', sa.Date(), nullable=False),
    sa.Column('unit_codes', sa.JSON(), nullable=False),
    sa.Column('inspectors', sa.JSON(), nullable=False),
    sa.Column('assignments', sa.JSON(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=True),
    sa.Column('draw', sa.JSON(), nullable=True),
    sa.Column('checklist_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.Column('due_notified_at', UTCDateTime, nullable=True),
    sa.Column('overdue_notified_at', UTCDateTime, nullable=True),
    sa.ForeignKeyConstraint(['checklist_id'], ['checklists.id'], name=op.f('fk_inspections_checklist_id_checklists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspections'))
    )
    op.create_index(op.f('ix_inspections_window_closes'), 'inspections', ['window_closes'], unique=False)
    op.create_table('inspection_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('inspector', sa.String(length=64), nullable=False),
    sa.Column('inspected_on', sa.Date(), nullable=True),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime, nullable=False),
    sa.Column('submitted_at', UTCDateTime, nullable=True),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_records_inspection_id_inspections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_records')),
    sa.UniqueConstraint('inspection_id', 'unit_code', 'revision', name=op.f('uq_inspection_records_inspection_id'))
    )
    op.create_index(op.f('ix_inspection_records_inspection_id'), 'inspection_records', ['inspection_id'], unique=False)
    op.create_index(op.f('ix_inspection_records_submitted_at'), 'inspection_records', ['submitted_at'], unique=False)
    op.create_index(op.f('ix_inspection_records_unit_code'), 'inspection_records', ['unit_code'], unique=False)
    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('deduction', sa.Float(), nullable=False),
    sa.Column('deadline_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['inspection_records.id'], name=op.f('fk_findings_record_id_inspection_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings'))
    )
    op.create_index(op.f('ix_findings_record_id'), 'findings', ['record_id'], unique=False)
    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('finding', sa.Text(), nullable=False),
    sa.Column('deduction', sa.Float(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_at', UTCDateTime, nullable=False),
    sa.Column('submitted_by', sa.String(length=64), nullable=True),
    sa.Column('warned_at', UTCDateTime, nullable=True),
    sa.Column('overdue_at', UTCDateTime, nullable=True),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_rectifications_finding_id_findings')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_rectifications_inspection_id_inspections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications')),
    sa.UniqueConstraint('finding_id', name=op.f('uq_rectifications_finding_id'))
    )
    op.create_index(op.f('ix_rectifications_deadline'), 'rectifications', ['deadline'], unique=False)
    op.create_index(op.f('ix_rectifications_inspection_id'), 'rectifications', ['inspection_id'], unique=False)
    op.create_index(op.f('ix_rectifications_status'), 'rectifications', ['status'], unique=False)
    op.create_index(op.f('ix_rectifications_unit_code'), 'rectifications', ['unit_code'], unique=False)
    op.create_table('rectification_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', UTCDateTime, nullable=False),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectifications.id'], name=op.f('fk_rectification_steps_rectification_id_rectifications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_steps'))
    )
    op.create_index(op.f('ix_rectification_steps_rectification_id'), 'rectification_steps', ['rectification_id'], unique=False)


def downgrade() -> None:
    for table in ("backfill", "reports", "score_runs", "comments", "commitments", "designation_facts", "item_facts",
                  "feedback_facts", "obligation_facts", "rectification_steps", "rectifications", "photos", "findings",
                  "inspection_records", "inspections", "checklists", "unit_copies"):
        op.drop_table(table)
    records.drop_tables(op)
