public enum LineEditorModule {}
