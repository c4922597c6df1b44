"""Letters (ReportLab), PDF/A post-processing and export to the document system."""
