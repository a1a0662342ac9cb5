"""The staff console (/console, templates under gateway/templates/console): sign-in, the work
list, items and corrections, progress and its figures, reminders, inspections and their
records and their corrections, the reports drafted, edited and issued, units' commitments and their progress, model candidates nominated, designated and reviewed, leaders' comments, the year's checklist, one obligation or report, a rectification and its loop (submitted, accepted, returned), a unit's standing
(where notifications land), the inbox and notification settings, reported public answers, the scans of items' QR codes
(知晓率), feedback, the 双随机 registers and draws at a stated time, the catalogue and the year's plan, the office's 范例 marks and guidance notes (分类指导), the registry, accounts, webhooks, the administrator's pages and the audit trail."""
from .accounts import ConsoleAccounts
from .admin import ConsoleAdmin
from .audit_trail import ConsoleAuditTrail
from .calendar import ConsoleCalendar
from .catalogue import ConsoleCatalogue
from .checklist_pages import ConsoleChecklist
from .commitments import ConsoleCommitments
from .corrections import ConsoleCorrections
from .designation_pages import ConsoleDesignations
from .draw_registers import ConsoleDrawRegisters
from .feedback import ConsoleFeedback
from .inbox import ConsoleInbox
from .figures import ConsoleFigures
from .inspection_records import ConsoleInspectionRecords
from .inspections import ConsoleInspections
from .items import ConsoleItems
from .learning import ConsoleLearning
from .programme_pages import ConsoleProgramme
from .plans import ConsolePlans
from .progress import ConsoleProgress
from .record_corrections import ConsoleRecordCorrections
from .report_pages import ConsoleReportPages
from .records import ConsoleRecords
from .rectifications import ConsoleRectifications
from .registry import ConsoleRegistry
from .reported import ConsoleReportedAnswers
from .reminders import ConsoleReminders
from .scans import ConsoleScans
from .second_factor import ConsoleSecondFactor
from .signin import ConsoleSignIn
from .standing import ConsoleStanding
from .webhooks import ConsoleWebhooks
from .sign_ins import ConsoleSignIns
from .work import ConsoleWork


class ConsolePages(ConsoleSignIn, ConsoleSecondFactor, ConsoleWork, ConsoleAccounts, ConsoleItems, ConsoleCorrections, ConsoleProgress,
                   ConsoleFigures, ConsoleReminders, ConsoleInspections, ConsoleInspectionRecords,
                   ConsoleRecordCorrections, ConsoleReportPages, ConsoleCommitments,
                   ConsoleProgramme, ConsoleDesignations, ConsoleChecklist, ConsoleFeedback,
                   ConsoleRegistry, ConsoleAdmin, ConsoleWebhooks, ConsoleCalendar, ConsoleRecords, ConsoleRectifications,
                   ConsoleStanding, ConsoleInbox, ConsoleReportedAnswers, ConsoleAuditTrail, ConsoleScans,
                   ConsoleSignIns, ConsoleDrawRegisters, ConsoleCatalogue, ConsolePlans,
                   ConsoleLearning):
    """Every page of the console."""
