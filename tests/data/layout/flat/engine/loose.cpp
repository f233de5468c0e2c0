// a source file outside the stage folders
